using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using Lightdash.Net.Backend.ResultsStorage.Exports;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The byte scanner of stored JSON lines: values as the results writer writes them, and a refusal for anything else.</summary>
public class JsonLineScannerTests
{
    private static readonly JsonLineScanner Scanner = new(["id", "name", "doc", "flag", "é"], JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    private static List<(int Column, JsonLineScanner.ValueKind Kind, string Text)>? Scan(string line, int splitAt = -1)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var sequence = splitAt < 0 ? new ReadOnlySequence<byte>(bytes) : TwoSegments(bytes, splitAt);
        var values = new List<(int, JsonLineScanner.ValueKind, string)>();
        return Scanner.TryScan(sequence, (column, kind, value) => values.Add((column, kind, Encoding.UTF8.GetString(value)))) ? values : null;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int splitAt)
    {
        var first = new Segment(bytes.AsMemory(0, splitAt), 0);
        var second = first.Append(bytes.AsMemory(splitAt));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    [TestCase(-1)]
    [TestCase(7)]
    [TestCase(30)]
    public void Scan_HandsOverEveryValueInOrder(int splitAt)
    {
        var values = Scan("""{"id":-12.5e3,"name":"a \"quoted\" line\nnext ✓","doc":{"k":"}]\"","a":[1,{"b":null}]},"flag":true,"é":null}""", splitAt);

        Assert.That(values, Is.EqualTo(new[]
        {
            (0, JsonLineScanner.ValueKind.Scalar, "-12.5e3"),
            (1, JsonLineScanner.ValueKind.Text, "a \"quoted\" line\nnext ✓"),
            (2, JsonLineScanner.ValueKind.Nested, """{"k":"}]\"","a":[1,{"b":null}]}"""),
            (3, JsonLineScanner.ValueKind.Scalar, "true"),
            (4, JsonLineScanner.ValueKind.Null, "null"),
        }));
    }

    [TestCase("""{"name":"x","id":1,"doc":null,"flag":true,"é":null}""")]
    [TestCase("""{"id":1,"name":"x","doc":null,"flag":true}""")]
    [TestCase("""{"id":1,"name":"x","doc":null,"flag":true,"é":null,"extra":1}""")]
    [TestCase("""{"id":1,"name":"unterminated,"doc":null}""")]
    [TestCase("""{ "id": 1, "name": "spaced", "doc": null, "flag": true, "é": null }""")]
    [TestCase("")]
    public void Scan_RefusesAnyOtherShape(string line) => Assert.That(Scan(line), Is.Null);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
