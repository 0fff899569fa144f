using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>The text shown for a raw value.</summary>
public static class ResultValueFormatter
{
    /// <summary>What a null is shown as, as in Lightdash.</summary>
    public const string NullText = "∅";

    /// <summary>Strings as they are, numbers as written, booleans as true/false, null as ∅, the rest as compact JSON.</summary>
    public static string Format(JsonElement raw) => raw.ValueKind switch
    {
        JsonValueKind.String => raw.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => NullText,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => raw.GetRawText(),
    };
}
