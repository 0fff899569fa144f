using System.Buffers;
using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// Reads the first column of a small query straight from the warehouse (field values, parameter
/// options): the answer's cost is the warehouse's <c>SELECT ... LIMIT</c>, with nothing stored.
/// </summary>
public static class WarehouseValues
{
    /// <summary>The non-null values of the first column, as JSON values (numbers stay numbers).</summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadFirstColumnAsync(IWarehouseClient client, string sql, TimeSpan timeout, QueryTag tag, CancellationToken cancellationToken) =>
        [.. (await ReadRowsAsync(client, sql, timeout, null, tag, cancellationToken))
            .Select(row => row.EnumerateObject().First().Value)
            .Where(cell => cell.ValueKind != JsonValueKind.Null)];

    /// <summary>
    /// Every row of a small query (at most <paramref name="maxRows"/> when given), each as its JSON
    /// object. The statement carries <paramref name="tag"/> like every other statement the backend runs.
    /// </summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadRowsAsync(IWarehouseClient client, string sql, TimeSpan timeout, int? maxRows, QueryTag tag, CancellationToken cancellationToken)
    {
        var rows = new List<JsonElement>();
        await using var reader = await client.ExecuteAsync(new WarehouseQuery(sql, Limit: maxRows, Timeout: timeout, Tag: tag), cancellationToken);
        var buffer = new ArrayBufferWriter<byte>();
        while (await reader.ReadAsync(cancellationToken))
        {
            buffer.ResetWrittenCount();
            await using (var writer = new Utf8JsonWriter(buffer, JsonSerialization.RowWriterOptions))
            {
                reader.WriteRow(writer);
            }

            using var row = JsonDocument.Parse(buffer.WrittenMemory);
            rows.Add(row.RootElement.Clone());
        }

        return rows;
    }

    /// <summary>The tag of a statement that belongs to no stored query (field values, totals, parameter options): an id of its own.</summary>
    public static QueryTag TagFor(Guid? userUuid, Guid projectUuid, QueryContext context) => new(Guid.NewGuid(), userUuid, projectUuid, context.ToName());

    /// <summary>A value's text: a string's content, or a number's or boolean's literal.</summary>
    public static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
