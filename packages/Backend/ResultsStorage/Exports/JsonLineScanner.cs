using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// Reads a stored JSON line the way the results writer writes it (compact, the columns' keys in order,
/// strings escaped only where JSON requires) by scanning bytes with vectorized searches instead of
/// tokenizing: each value is handed over as its raw bytes (strings unescaped). Anything else is refused
/// (<see cref="TryScan"/> returns false) so that the caller falls back to a full JSON reader. The scan
/// runs per row: its methods are compiled optimized at once rather than waiting for tiered compilation.
/// </summary>
public sealed class JsonLineScanner
{
    private static readonly SearchValues<byte> QuoteOrBackslash = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> ScalarEnd = SearchValues.Create(",}"u8);
    private readonly byte[][] _keys;
    private byte[] _line = new byte[4096];
    private byte[] _unescaped = new byte[1024];

    /// <summary>A scanner for lines with these column names, in this order.</summary>
    public JsonLineScanner(IReadOnlyList<string> columns, JavaScriptEncoder encoder) =>
        _keys = columns.Select(c => Encoding.UTF8.GetBytes($"\"{Encoding.UTF8.GetString(JsonEncodedText.Encode(c, encoder).EncodedUtf8Bytes)}\":")).ToArray();

    /// <summary>What a value is.</summary>
    public enum ValueKind
    {
        /// <summary>JSON null.</summary>
        Null,

        /// <summary>A string: the bytes are its unescaped UTF-8 text.</summary>
        Text,

        /// <summary>A number, true or false: the bytes are as written.</summary>
        Scalar,

        /// <summary>An object or array: the bytes are its JSON text.</summary>
        Nested,
    }

    /// <summary>A callback receiving one value of the line (column index, kind, bytes).</summary>
    public delegate void ValueHandler(int column, ValueKind kind, ReadOnlySpan<byte> value);

    /// <summary>Hands every value of <paramref name="line"/> to <paramref name="onValue"/>, in column order; false when the line is not of the expected shape (nothing can be assumed handed over).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryScan(ReadOnlySequence<byte> line, ValueHandler onValue)
    {
        ReadOnlySpan<byte> span;
        if (line.IsSingleSegment)
        {
            span = line.FirstSpan;
        }
        else
        {
            if (_line.Length < line.Length)
            {
                _line = new byte[Math.Max((int)line.Length, _line.Length * 2)];
            }

            line.CopyTo(_line);
            span = _line.AsSpan(0, (int)line.Length);
        }

        return ScanSpan(span, onValue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ScanSpan(ReadOnlySpan<byte> line, ValueHandler onValue)
    {
        if (line.Length < 2 || line[0] != (byte)'{' || line[^1] != (byte)'}')
        {
            return false;
        }

        var pos = 1;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (i > 0)
            {
                if (line[pos] != (byte)',')
                {
                    return false;
                }

                pos++;
            }

            var key = _keys[i];
            if (!line[pos..].StartsWith(key))
            {
                return false;
            }

            pos += key.Length;
            if (pos >= line.Length)
            {
                return false;
            }

            var end = ScanValue(line, pos, i, onValue);
            if (end < 0)
            {
                return false;
            }

            pos = end;
        }

        return pos == line.Length - 1;
    }

    /// <summary>Reads the value at <paramref name="pos"/> and hands it to <paramref name="onValue"/>; returns where it ends, or -1 when the line is not what the scanner reads.</summary>
    private int ScanValue(ReadOnlySpan<byte> line, int pos, int column, ValueHandler onValue)
    {
        int end;
        switch (line[pos])
        {
            case (byte)'"':
                end = StringEnd(line, pos);
                if (end < 0)
                {
                    return -1;
                }

                var body = line[(pos + 1)..(end - 1)];
                if (body.IndexOf((byte)'\\') < 0)
                {
                    onValue(column, ValueKind.Text, body);
                }
                else if (!TryUnescape(line[pos..end], out var text))
                {
                    return -1;
                }
                else
                {
                    onValue(column, ValueKind.Text, text);
                }

                return end;
            case (byte)'{' or (byte)'[':
                end = NestedEnd(line, pos);
                if (end < 0)
                {
                    return -1;
                }

                onValue(column, ValueKind.Nested, line[pos..end]);
                return end;
            default:
                var length = line[pos..].IndexOfAny(ScalarEnd);
                if (length <= 0)
                {
                    return -1;
                }

                end = pos + length;
                var scalar = line[pos..end];
                onValue(column, scalar.SequenceEqual("null"u8) ? ValueKind.Null : ValueKind.Scalar, scalar);
                return end;
        }
    }

    /// <summary>The index just past the closing quote of the string starting at <paramref name="start"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int StringEnd(ReadOnlySpan<byte> line, int start)
    {
        var pos = start + 1;
        while (pos < line.Length)
        {
            var next = line[pos..].IndexOfAny(QuoteOrBackslash);
            if (next < 0)
            {
                return -1;
            }

            pos += next;
            if (line[pos] == (byte)'"')
            {
                return pos + 1;
            }

            pos += 2;
        }

        return -1;
    }

    /// <summary>The index just past the object or array starting at <paramref name="start"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int NestedEnd(ReadOnlySpan<byte> line, int start)
    {
        var depth = 0;
        var pos = start;
        while (pos < line.Length)
        {
            switch (line[pos])
            {
                case (byte)'"':
                    pos = StringEnd(line, pos);
                    if (pos < 0)
                    {
                        return -1;
                    }

                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    depth--;
                    if (depth == 0)
                    {
                        return pos + 1;
                    }

                    break;
            }

            pos++;
        }

        return -1;
    }

    private bool TryUnescape(ReadOnlySpan<byte> quoted, out ReadOnlySpan<byte> text)
    {
        var reader = new Utf8JsonReader(quoted);
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            text = default;
            return false;
        }

        if (_unescaped.Length < quoted.Length)
        {
            _unescaped = new byte[Math.Max(quoted.Length, _unescaped.Length * 2)];
        }

        var written = reader.CopyString(_unescaped);
        text = _unescaped.AsSpan(0, written);
        return true;
    }
}
