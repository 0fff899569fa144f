using System.Globalization;

namespace Lightdash.Net.Warehouses;

/// <summary>Time limits as people read them.</summary>
public static class WarehouseTimeouts
{
    /// <summary>"30 minutes", "90 seconds", "1.5 seconds".</summary>
    public static string Describe(TimeSpan limit) => limit switch
    {
        { TotalHours: >= 1 } when limit.TotalHours == Math.Floor(limit.TotalHours) => Plural(limit.TotalHours, "hour"),
        { TotalMinutes: >= 1 } when limit.TotalMinutes == Math.Floor(limit.TotalMinutes) => Plural(limit.TotalMinutes, "minute"),
        _ => Plural(Math.Round(limit.TotalSeconds, 3), "second"),
    };

    private static string Plural(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{value} {unit}{(value == 1 ? "" : "s")}");
}
