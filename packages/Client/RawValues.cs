using System.Buffers;
using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>A page row <c>{"id": {"value": {"raw": 1, "formatted": "1"}}}</c> as its raw values: <c>{"id": 1}</c>.</summary>
internal static class RawValues
{
    public static JsonElement Of(JsonElement row)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var cell in row.EnumerateObject())
            {
                writer.WritePropertyName(cell.Name);
                if (cell.Value.ValueKind == JsonValueKind.Object && cell.Value.TryGetProperty("value", out var value) && value.TryGetProperty("raw", out var raw))
                {
                    raw.WriteTo(writer);
                }
                else
                {
                    cell.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
