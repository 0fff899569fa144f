using System.Text.Json;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// How large what users save and ask may be: every limit a 400 naming it, so that nothing unbounded
/// is stored or compiled (a 100,000-character name, a 5 MB chart config, 20,000 filter rules).
/// </summary>
public static class InputLimits
{
    /// <summary>The longest name of anything saved.</summary>
    public const int MaxNameLength = 256;

    /// <summary>The longest description.</summary>
    public const int MaxDescriptionLength = 4096;

    /// <summary>The largest chart config, in bytes of JSON.</summary>
    public const int MaxChartConfigBytes = 256 * 1024;

    /// <summary>The most tiles on one dashboard.</summary>
    public const int MaxTiles = 100;

    /// <summary>The most filter rules in one query or dashboard (all groups together).</summary>
    public const int MaxFilterRules = 100;

    /// <summary>The most values in one filter rule.</summary>
    public const int MaxValuesPerRule = 1000;

    /// <summary>The most dimensions and metrics one metric query selects.</summary>
    public const int MaxFields = 200;

    /// <summary>The most sorts of one query.</summary>
    public const int MaxSorts = 20;

    /// <summary>The most table calculations of one query.</summary>
    public const int MaxTableCalculations = 20;

    /// <summary>The longest SQL of one table calculation.</summary>
    public const int MaxTableCalculationSqlLength = 10_000;

    /// <summary>The longest time zone name.</summary>
    private const int MaxTimezoneLength = 64;

    /// <summary>
    /// A request's <c>statementTimeoutSeconds</c> as a time limit (null when absent); 400 below 1 second.
    /// It lowers the project's limit, never raises it (the lower of the two applies when the query runs).
    /// </summary>
    public static TimeSpan? StatementTimeout(int? seconds) => seconds switch
    {
        null => null,
        < 1 => throw new ValidationException($"statementTimeoutSeconds must be 1 or more (got {seconds}); leave it out for the project's limit."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    /// <summary>The trimmed name; 400 when missing or too long.</summary>
    public static string RequireName(string? name, string field = "name")
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new ValidationException($"{field} is required.");
        }

        return trimmed.Length <= MaxNameLength
            ? trimmed
            : throw new ValidationException($"{field} is {trimmed.Length} characters long; at most {MaxNameLength} are accepted.");
    }

    /// <summary>400 when the description is too long.</summary>
    public static string? CheckDescription(string? description, string field = "description") =>
        description is { Length: > MaxDescriptionLength }
            ? throw new ValidationException($"{field} is {description.Length} characters long; at most {MaxDescriptionLength} are accepted.")
            : description;

    /// <summary>400 when the JSON is larger than <paramref name="maxBytes"/>.</summary>
    public static void CheckJsonSize(JsonElement? value, string field, int maxBytes)
    {
        if (value is { } element && element.ValueKind != JsonValueKind.Undefined && element.GetRawText().Length > maxBytes)
        {
            throw new ValidationException($"{field} is larger than {maxBytes / 1024} KiB.");
        }
    }

    /// <summary>400 when there are more than <paramref name="max"/> items.</summary>
    public static void CheckCount<T>(IReadOnlyCollection<T>? items, string field, int max)
    {
        if (items?.Count > max)
        {
            throw new ValidationException($"{field} has {items.Count} items; at most {max} are accepted.");
        }
    }

    /// <summary>The IANA time zone, or null; 400 when the warehouse could not know it.</summary>
    public static string? CheckTimezone(string? timezone, string field = "timezone")
    {
        if (timezone is null)
        {
            return null;
        }

        if (timezone.Length > MaxTimezoneLength
            || !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var zone)
            || !(zone.HasIanaId || timezone == "UTC"))
        {
            throw new ValidationException($"{field} \"{(timezone.Length > MaxTimezoneLength ? timezone[..MaxTimezoneLength] + "…" : timezone)}\" is not an IANA time zone such as UTC or Europe/London.");
        }

        return timezone;
    }
}
