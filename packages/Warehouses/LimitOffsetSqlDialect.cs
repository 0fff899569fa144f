using System.Globalization;
using System.Text;

namespace Lightdash.Net.Warehouses;

/// <summary>The part of a SQL dialect shared by warehouses that window rows with <c>LIMIT</c> and <c>OFFSET</c>.</summary>
public abstract class LimitOffsetSqlDialect : ISqlDialect
{
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

    /// <summary>Quotes an identifier with double quotes, doubling any inside.</summary>
    public virtual string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
