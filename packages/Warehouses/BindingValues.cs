using System.Globalization;
using System.Text.Json;

namespace Lightdash.Net.Warehouses;

/// <summary>
/// Bind variables as Snowflake's SQL API sends them (a type name and the value as text) turned into
/// the .NET values <see cref="WarehouseQuery.Parameters"/> binds: <c>FIXED</c> (an integer or exact
/// decimal), <c>REAL</c>, <c>TEXT</c>, <c>BOOLEAN</c>, <c>DATE</c>, <c>TIME</c> and
/// <c>TIMESTAMP_NTZ</c>/<c>TIMESTAMP_LTZ</c>/<c>TIMESTAMP_TZ</c> (ISO 8601 text or nanoseconds since the epoch).
/// </summary>
public static class BindingValues
{
    /// <summary>The type names accepted, as Snowflake spells them.</summary>
    public static readonly IReadOnlyList<string> Types =
        ["FIXED", "REAL", "TEXT", "BOOLEAN", "DATE", "TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ"];

    /// <summary>One binding as stored: its type and its value as text (null for SQL NULL).</summary>
    /// <param name="Type">The type name, upper case.</param>
    /// <param name="Value">The value as text, or null.</param>
    public sealed record Binding(string Type, string? Value);

    /// <summary>The value of one binding; a <see cref="FormatException"/> says what is wrong with it.</summary>
    public static object? Parse(Binding binding)
    {
        if (binding.Value is not { } text)
        {
            return null;
        }

        var invariant = CultureInfo.InvariantCulture;
        switch (binding.Type)
        {
            case "FIXED":
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var integer))
                {
                    return integer;
                }

                return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, invariant, out var exact)
                    ? exact
                    : throw new FormatException($"\"{Shorten(text)}\" is not a FIXED number (digits, an optional sign and decimal point).");
            case "REAL":
                return double.TryParse(text, NumberStyles.Float, invariant, out var real) && double.IsFinite(real)
                    ? real
                    : throw new FormatException($"\"{Shorten(text)}\" is not a REAL number.");
            case "TEXT":
                return text;
            case "BOOLEAN":
                return text.ToUpperInvariant() switch
                {
                    "TRUE" or "1" => true,
                    "FALSE" or "0" => false,
                    _ => throw new FormatException($"\"{Shorten(text)}\" is not a BOOLEAN (true or false)."),
                };
            case "DATE":
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date))
                {
                    return date;
                }

                // Snowflake's drivers send dates as milliseconds since the epoch.
                return long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var millis) && TryFromEpoch(millis * 1_000_000, out var midnight)
                    ? DateOnly.FromDateTime(midnight)
                    : throw new FormatException($"\"{Shorten(text)}\" is not a DATE (YYYY-MM-DD).");
            case "TIME":
                return TimeOnly.TryParse(text, invariant, DateTimeStyles.None, out var time)
                    ? time
                    : throw new FormatException($"\"{Shorten(text)}\" is not a TIME (HH:MM:SS[.fff]).");
            case "TIMESTAMP_NTZ":
                return ParseTimestamp(text) is { } local
                    ? DateTime.SpecifyKind(local.Offset == TimeSpan.Zero ? local.UtcDateTime : local.DateTime, DateTimeKind.Unspecified)
                    : throw new FormatException($"\"{Shorten(text)}\" is not a TIMESTAMP_NTZ (ISO 8601, or nanoseconds since the epoch).");
            case "TIMESTAMP_LTZ":
            case "TIMESTAMP_TZ":
                // An instant: bound as UTC (PostgreSQL's timestamptz keeps instants, not offsets).
                return ParseTimestamp(text) is { } instant
                    ? instant.ToUniversalTime()
                    : throw new FormatException($"\"{Shorten(text)}\" is not a {binding.Type} (ISO 8601 with an offset, or nanoseconds since the epoch).");
            default:
                throw new FormatException($"type {Shorten(binding.Type)} is not one of {string.Join(", ", Types)}.");
        }
    }

    /// <summary>Every binding's value, in order (from the stored JSON array of <see cref="Binding"/>); null when there are none.</summary>
    public static IReadOnlyList<object?>? FromJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var bindings = JsonSerializer.Deserialize<Binding[]>(json, JsonSerializerOptions.Web) ?? [];
        return bindings.Length == 0 ? null : bindings.Select(Parse).ToArray();
    }

    private static DateTimeOffset? ParseTimestamp(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nanos))
        {
            return TryFromEpoch(nanos, out var utc) ? new DateTimeOffset(utc, TimeSpan.Zero) : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed
            : null;
    }

    private static bool TryFromEpoch(long nanos, out DateTime utc)
    {
        var ticks = nanos / 100;
        if (ticks < -DateTime.UnixEpoch.Ticks || ticks > DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks)
        {
            utc = default;
            return false;
        }

        utc = DateTime.UnixEpoch.AddTicks(ticks);
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
