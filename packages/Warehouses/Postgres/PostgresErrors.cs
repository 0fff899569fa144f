using Npgsql;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>Turns Npgsql's failures into the warehouse's message for the user.</summary>
internal static class PostgresErrors
{
    private const string QueryCanceled = "57014";

    /// <summary>True for a failure of the warehouse, false for a cancellation the caller asked for.</summary>
    public static bool IsWarehouseFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is NpgsqlException or InvalidOperationException or IOException;

    public static WarehouseQueryException ToWarehouseException(Exception e, TimeSpan? timeout) => e switch
    {
        PostgresException { SqlState: QueryCanceled } pg when timeout is { } limit && pg.MessageText.Contains("statement timeout", StringComparison.Ordinal) =>
            WarehouseQueryException.TimedOut(limit, pg),
        PostgresException pg => new WarehouseQueryException(
            pg.Position > 0 ? $"{pg.MessageText} (position {pg.Position})" : pg.MessageText, pg)
        {
            SqlState = pg.SqlState,
        },
        _ => WarehouseQueryException.ConnectionFailed(e.Message, e),
    };
}
