using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.ResultsStorage.Exports;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The character blocks a Parquet row group's text values are copied into: the same text as a string per value, blocks reused by the next row group and the next export.</summary>
public class TextArenaTests
{
    /// <summary>Every value of <paramref name="line"/> (one JSON object), as the arena copies it and as a string per value.</summary>
    private static List<(string Copied, string AsString)> AppendAll(TextArena arena, string line, List<ReadOnlyMemory<char>>? kept = null)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var values = new List<(string, string)>();
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            var copy = reader;
            var copied = arena.Append(ref reader, bytes);
            kept?.Add(copied);
            values.Add((copied.ToString(), StoredValueReader.Text(ref copy, bytes)));
        }

        return values;
    }

    [Test]
    public void Append_ReadsEachKindOfValueAsTheStringReaderDoes()
    {
        var arena = new TextArena(new RowGroupMemory());
        var values = AppendAll(arena, """{"a":"O'Brien, \"Bob\"\nline ✓ \ud83d\ude00","b":{"k":[1,"x"]},"c":-12.5e3,"d":true,"e":"","f":"\u00e9t\u00e9"}""");

        Assert.That(values.Select(v => v.Copied), Is.EqualTo(new[] { "O'Brien, \"Bob\"\nline ✓ 😀", """{"k":[1,"x"]}""", "-12.5e3", "true", "", "été" }));
        Assert.That(values.Select(v => v.Copied), Is.EqualTo(values.Select(v => v.AsString)));
    }

    [Test]
    public void AnEmptyFirstValue_AfterAClear_IsEmpty()
    {
        var arena = new TextArena(new RowGroupMemory());
        Assert.That(AppendAll(arena, """{"a":"","b":"x"}""").Select(v => v.Copied), Is.EqualTo(new[] { "", "x" }));
        arena.Clear();
        Assert.That(AppendAll(arena, """{"a":"","b":"y"}""").Select(v => v.Copied), Is.EqualTo(new[] { "", "y" }));
    }

    [Test]
    public void ValuesAcrossBlocks_StayIntact_AndAValueLongerThanABlockGetsItsOwn()
    {
        var arena = new TextArena(new RowGroupMemory());
        var kept = new List<ReadOnlyMemory<char>>();
        var expected = new List<string>();
        // About three blocks of 37-character values, then one value longer than a block.
        for (var i = 0; i < TextArena.BlockChars * 3 / 37; i++)
        {
            var text = $"customer {i:D8} bought item {i % 977:D5}!";
            expected.Add(text);
            AppendAll(arena, $$"""{"label":"{{text}}"}""", kept);
        }

        var longText = new string('x', TextArena.BlockChars + 5);
        expected.Add(longText);
        AppendAll(arena, $$"""{"label":"{{longText}}"}""", kept);

        Assert.That(kept.Select(k => k.ToString()), Is.EqualTo(expected));
        Assert.That(arena.CapacityChars, Is.EqualTo(3L * TextArena.BlockChars), "three blocks; the long value's array is not one of them");
    }

    [Test]
    public void Clear_ReusesTheBlocks()
    {
        var arena = new TextArena(new RowGroupMemory());
        for (var group = 0; group < 3; group++)
        {
            var kept = new List<ReadOnlyMemory<char>>();
            for (var i = 0; i < TextArena.BlockChars / 10; i++)
            {
                AppendAll(arena, $$"""{"v":"group {{group}} {{i}}"}""", kept);
            }

            Assert.That(kept[^1].ToString(), Is.EqualTo($"group {group} {TextArena.BlockChars / 10 - 1}"));
            arena.Clear();
        }

        Assert.That(arena.CapacityChars, Is.LessThanOrEqualTo(2L * TextArena.BlockChars), "each row group fills the same blocks again");
    }

    [Test]
    public void ANewArenaInTheSameMemory_ReusesItsBlocks()
    {
        var memory = new RowGroupMemory();
        var first = new TextArena(memory);
        AppendAll(first, $$"""{"v":"{{new string('a', TextArena.BlockChars - 10)}}","w":"{{new string('b', 100)}}"}""");
        var held = memory.Capacity;

        var next = new TextArena(memory);
        var kept = new List<ReadOnlyMemory<char>>();
        AppendAll(next, """{"v":"next export"}""", kept);

        Assert.That(held, Is.EqualTo(2L * TextArena.BlockChars * sizeof(char)));
        Assert.That((memory.Capacity, kept[0].ToString()), Is.EqualTo((held, "next export")));
    }
}
