using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>
/// The legal moves of a query's status, in one place. The stores' conditional updates name their
/// from-states with these lists (an update from any other state changes nothing), so the table below
/// and the SQL cannot disagree; <see cref="IsLegal"/> states the same rules for code and tests.
/// </summary>
public static class QueryStatusTransitions
{
    /// <summary>Not finished: may still fail or be cancelled.</summary>
    public const string Active = "'pending', 'queued', 'executing'";

    /// <summary>Waiting for a worker: may start, or expire after the longest queue time.</summary>
    public const string Waiting = "'pending', 'queued'";

    /// <summary>On a worker: may become ready, or go back to the queue when its lease is lost.</summary>
    public const string Running = "'executing'";

    /// <summary>Ended, for good or ill: nothing more runs (a completion callback may be sent).</summary>
    public const string Ended = "'ready', 'error', 'cancelled', 'expired'";

    /// <summary>Finished with results or an error kept for a while: may expire.</summary>
    public const string Finished = "'ready', 'error'";

    private static readonly (string From, QueryStatus To)[] Moves =
    [
        ("'pending'", QueryStatus.Queued),
        (Running, QueryStatus.Queued),
        (Waiting, QueryStatus.Executing),
        (Running, QueryStatus.Ready),
        (Active, QueryStatus.Error),
        (Active, QueryStatus.Cancelled),
        (Finished, QueryStatus.Expired),
        (Waiting, QueryStatus.Expired),
    ];

    /// <summary>The states a status may be reached from.</summary>
    public static IReadOnlySet<QueryStatus> From(QueryStatus to) =>
        Moves.Where(m => m.To == to).SelectMany(m => Parse(m.From)).ToHashSet();

    /// <summary>True when a query may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsLegal(QueryStatus from, QueryStatus to) => From(to).Contains(from);

    /// <summary>The statuses of one of the SQL lists above.</summary>
    public static IEnumerable<QueryStatus> Parse(string sqlList) =>
        sqlList.Split(',', StringSplitOptions.TrimEntries)
            .Select(name => QueryStatusNames.TryParse(name.Trim('\''), out var status)
                ? status
                : throw new ArgumentException($"{name} is not a status.", nameof(sqlList)));
}
