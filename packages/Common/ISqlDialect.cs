namespace Lightdash.Net.Common;

/// <summary>The SQL a warehouse speaks, for the statements the backend writes itself.</summary>
public interface ISqlDialect
{
    /// <summary>Wraps a user's query as a subquery (so that it is exactly one query), returning only a window of its rows when a limit or offset is given.</summary>
    string WrapWithWindow(string sql, long? limit, long? offset);

    /// <summary>An identifier in double quotes, quotes inside doubled.</summary>
    string QuoteIdentifier(string name);

    /// <summary>A string literal, safely quoted (single quotes doubled; no escape sequences).</summary>
    /// <exception cref="ArgumentException">The text holds a NUL character, which no warehouse text type stores.</exception>
    string QuoteString(string value);

    /// <summary>
    /// The expression at a time interval: truncated to the start of its day, week, month, quarter or
    /// year (a date) or hour, minute, second or millisecond (a timestamp); or a part of it: year_num,
    /// quarter_num, month_num, week_num, day_of_year_num, day_of_month_num, day_of_week_index (0 is
    /// Sunday), hour_of_day_num, minute_of_hour_num (numbers), month_name, day_of_week_name,
    /// quarter_name (text: January, Monday, Q1).
    /// </summary>
    string TruncateDate(string expression, string interval);

    /// <summary>The median of an expression (an ordered-set aggregate).</summary>
    string Median(string expression);

    /// <summary>The continuous percentile (0 to 100) of an expression.</summary>
    string Percentile(string expression, int percentile);

    /// <summary>
    /// The sum of <paramref name="value"/> over rows with distinct <paramref name="keys"/> (each key's value
    /// counted once however many rows repeat it), as an aggregate of the grouped query.
    /// </summary>
    string SumDistinct(IReadOnlyList<string> keys, string value);

    /// <summary>The average of <paramref name="value"/> over rows with distinct <paramref name="keys"/>, as an aggregate.</summary>
    string AverageDistinct(IReadOnlyList<string> keys, string value);

    /// <summary>The current time in a time zone, as a timestamp without time zone (for relative date filters).</summary>
    string NowIn(string timezone);
}
