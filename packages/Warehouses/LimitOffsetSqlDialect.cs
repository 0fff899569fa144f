using Lightdash.Net.Common;
using System.Globalization;
using System.Text;

namespace Lightdash.Net.Warehouses;

/// <summary>The part of a SQL dialect shared by warehouses that window rows with <c>LIMIT</c> and <c>OFFSET</c>.</summary>
public abstract class LimitOffsetSqlDialect : ISqlDialect
{
    /// <inheritdoc />
    public string WrapWithWindow(string sql, long? limit, long? offset)
    {
        // Always wrapped, even without a window: the user's SQL must then be one query, so that no
        // second statement (a SET, a COPY, DDL) can ride along with it. Its own lines keep a trailing
        // "-- comment" from swallowing the wrapper.
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

    /// <inheritdoc />
    public virtual string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public virtual string QuoteString(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Text values cannot hold the NUL character.", nameof(value));
        }

        // Both PostgreSQL (standard_conforming_strings, the default since 9.1) and DuckDB read
        // backslashes literally in '...': doubling the quote is the whole escape.
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <inheritdoc />
    public virtual string TruncateDate(string expression, string interval) => interval switch
    {
        "day" or "week" or "month" or "quarter" or "year" => $"CAST(DATE_TRUNC('{interval}', {expression}) AS DATE)",
        "hour" or "minute" or "second" or "millisecond" => $"DATE_TRUNC('{interval}', CAST({expression} AS TIMESTAMP))",
        "year_num" => Part("YEAR", expression),
        "quarter_num" => Part("QUARTER", expression),
        "month_num" => Part("MONTH", expression),
        "week_num" => Part("WEEK", expression),
        "day_of_year_num" => Part("DOY", expression),
        "day_of_month_num" => Part("DAY", expression),
        "day_of_week_index" => Part("DOW", expression),
        "hour_of_day_num" => Part("HOUR", expression),
        "minute_of_hour_num" => Part("MINUTE", expression),
        "quarter_name" => $"CONCAT('Q', {Part("QUARTER", expression)})",
        "month_name" => MonthName(expression),
        "day_of_week_name" => DayName(expression),
        _ => throw new ArgumentException($"Unknown interval {interval}.", nameof(interval)),
    };

    /// <summary>The month's English name (January...).</summary>
    protected abstract string MonthName(string expression);

    /// <summary>The weekday's English name (Monday...).</summary>
    protected abstract string DayName(string expression);

    private static string Part(string part, string expression) => $"CAST(EXTRACT({part} FROM {expression}) AS INTEGER)";

    /// <inheritdoc />
    public virtual string Median(string expression) => Percentile(expression, 50);

    /// <inheritdoc />
    public virtual string Percentile(string expression, int percentile) =>
        $"PERCENTILE_CONT({(percentile / 100m).ToString(CultureInfo.InvariantCulture)}) WITHIN GROUP (ORDER BY {expression})";

    /// <inheritdoc />
    public abstract string NowIn(string timezone);

    /// <inheritdoc />
    public abstract string SumDistinct(IReadOnlyList<string> keys, string value);

    /// <inheritdoc />
    public abstract string AverageDistinct(IReadOnlyList<string> keys, string value);
}
