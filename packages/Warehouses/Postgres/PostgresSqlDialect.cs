using System.Globalization;
using System.Text;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>PostgreSQL's SQL for the statements the backend writes around a user's query.</summary>
public sealed class PostgresSqlDialect : ISqlDialect
{
    /// <summary>The one instance; the dialect has no state.</summary>
    public static readonly PostgresSqlDialect Instance = new();

    /// <inheritdoc />
    public string WrapWithWindow(string sql, long? limit, long? offset)
    {
        if (limit is null && offset is null)
        {
            return sql;
        }

        // The user's SQL goes on lines of its own so that a trailing "-- comment" cannot swallow the wrapper.
        var builder = new StringBuilder()
            .Append("SELECT * FROM (\n")
            .Append(SqlText.TrimTrailingSemicolons(sql))
            .Append("\n) AS lightdash_window");
        if (limit is { } l)
        {
            builder.Append(" LIMIT ").Append(l.ToString(CultureInfo.InvariantCulture));
        }

        if (offset is { } o)
        {
            builder.Append(" OFFSET ").Append(o.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
