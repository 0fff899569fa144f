using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>One value of one row.</summary>
public sealed class ResultCell
{
    /// <summary>The value.</summary>
    public required ResultValue Value { get; init; }
}

/// <summary>A value both as data and as text to show.</summary>
public sealed class ResultValue
{
    /// <summary>The value as JSON, keeping its type: number, string, boolean, null, array or object. Timestamps are ISO-8601 strings.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required JsonElement Raw { get; init; }

    /// <summary>The value as text to show (<c>∅</c> for null).</summary>
    public required string Formatted { get; init; }
}
