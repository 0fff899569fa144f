using System.Text.Json;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Reads values out of a page's rows.</summary>
public static class RowValues
{
    public static JsonElement Raw(JsonElement row, string field) => row.GetProperty(field).GetProperty("value").GetProperty("raw");

    public static string Formatted(JsonElement row, string field) => row.GetProperty(field).GetProperty("value").GetProperty("formatted").GetString()!;

    public static List<long> Longs(JsonElement page, string field) =>
        page.GetProperty("rows").EnumerateArray().Select(r => Raw(r, field).GetInt64()).ToList();
}
