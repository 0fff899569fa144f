using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Parquet;
using Parquet.Schema;

namespace Lightdash.Net.Backend.Tests;

/// <summary>A row group's column buffers, whose arrays are kept for the next export: what one export leaves there never reaches the next.</summary>
public class ParquetColumnBuffersTests
{
    private static readonly ExportColumnKind[] Kinds = [ExportColumnKind.WholeNumber, ExportColumnKind.Text];
    private static readonly DataField[] Fields = [new DataField<long?>("n"), new DataField<string>("t", nullable: true)];

    private static void Put(ParquetColumnBuffers buffers, int ordinal, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        buffers.OnValue(ordinal, ref reader, bytes);
    }

    private static async Task<(long?[] Numbers, string?[] Texts)> RoundTripAsync(ParquetColumnBuffers buffers, int rows)
    {
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(Fields), file))
        {
            using var group = writer.CreateRowGroup();
            await buffers.WriteColumnAsync(0, group, Fields[0], CancellationToken.None);
            await buffers.WriteColumnAsync(1, group, Fields[1], CancellationToken.None);
        }

        file.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(file);
        using var read = reader.OpenRowGroupReader(0);
        var (numbers, texts) = (new long?[rows], new string?[rows]);
        await read.ReadAsync<long>(Fields[0], numbers.AsMemory());
        await read.ReadAsync(Fields[1], texts.AsMemory());
        return (numbers, texts);
    }

    [Test]
    public async Task BuffersInTheMemoryOfAnEarlierExport_StartEmpty()
    {
        var memory = new RowGroupMemory();
        using (var used = new ParquetColumnBuffers(Kinds, 3, memory))
        {
            Put(used, 0, "7");
            Put(used, 1, "\"left over\"");
            used.EndRow();
        }

        var kept = memory.Capacity;

        // The arrays just given back are taken again: a row whose values are missing must read as nulls.
        using var fresh = new ParquetColumnBuffers(Kinds, 3, memory);
        Assert.That((kept, memory.Capacity), Is.EqualTo((3L * sizeof(long) * 2 + 3L * 24 + (TextArena.BlockChars * 2L), TextArena.BlockChars * 2L)), "the arrays were kept, then taken");
        fresh.EndRow();
        Put(fresh, 0, "8");
        Put(fresh, 1, "{\"k\":[1,\"é\"]}");
        fresh.EndRow();

        var (numbers, texts) = await RoundTripAsync(fresh, 2);
        Assert.That(numbers, Is.EqualTo(new long?[] { null, 8 }));
        Assert.That(texts, Is.EqualTo(new[] { null, "{\"k\":[1,\"é\"]}" }));
    }

    [Test]
    public async Task Clear_EmptiesEveryColumnForTheNextRowGroup()
    {
        using var buffers = new ParquetColumnBuffers(Kinds, 3, new RowGroupMemory());
        Put(buffers, 0, "1");
        Put(buffers, 1, "\"first group\"");
        buffers.EndRow();
        buffers.Clear();
        buffers.EndRow();

        var (numbers, texts) = await RoundTripAsync(buffers, 1);
        Assert.That((numbers[0], texts[0]), Is.EqualTo(((long?)null, (string?)null)));
    }
}
