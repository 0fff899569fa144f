using System.Buffers.Binary;
using System.Text;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>
/// Decodes PostgreSQL's binary <c>numeric</c> into its exact decimal text. <see cref="decimal"/>
/// holds only 28 digits, and numeric holds up to 131072 before the point, so the value is never
/// routed through a .NET number. The text is written as UTF-8 straight into a buffer: no allocation
/// per value on the hot path.
/// </summary>
public static class PostgresNumeric
{
    private const ushort Positive = 0x0000;
    private const ushort Negative = 0x4000;
    private const ushort NaN = 0xC000;
    private const ushort PositiveInfinity = 0xD000;
    private const ushort NegativeInfinity = 0xF000;

    /// <summary>The decoded value.</summary>
    /// <param name="Text">The decimal text (for example <c>-12.50</c>), or <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</param>
    /// <param name="IsFinite">True when <paramref name="Text"/> is a valid JSON number.</param>
    public readonly record struct Value(string Text, bool IsFinite);

    /// <summary>Decodes the wire format (ndigits, weight, sign, dscale as int16, then base-10000 digits) into text.</summary>
    public static Value Decode(ReadOnlySpan<byte> wire)
    {
        var buffer = new byte[MaxUtf8Length(wire)];
        var finite = TryFormatUtf8(wire, buffer, out var written);
        return new Value(Encoding.UTF8.GetString(buffer, 0, written), finite);
    }

    /// <summary>The most bytes <see cref="TryFormatUtf8"/> can write for this value.</summary>
    public static int MaxUtf8Length(ReadOnlySpan<byte> wire)
    {
        var weight = BinaryPrimitives.ReadInt16BigEndian(wire[2..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(wire[6..]);
        return 16 + (Math.Max(0, weight + 1) * 4) + Math.Max(0, (int)scale);
    }

    /// <summary>
    /// Writes the value's text as UTF-8 into <paramref name="destination"/> (at least
    /// <see cref="MaxUtf8Length"/> bytes); returns false for NaN and the infinities, which are not JSON numbers.
    /// </summary>
    public static bool TryFormatUtf8(ReadOnlySpan<byte> wire, Span<byte> destination, out int written)
    {
        var digitCount = BinaryPrimitives.ReadInt16BigEndian(wire);
        var weight = BinaryPrimitives.ReadInt16BigEndian(wire[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(wire[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(wire[6..]);
        switch (sign)
        {
            case NaN: written = Copy("NaN"u8, destination); return false;
            case PositiveInfinity: written = Copy("Infinity"u8, destination); return false;
            case NegativeInfinity: written = Copy("-Infinity"u8, destination); return false;
            case Positive or Negative: break;
            default: throw new FormatException($"Unknown numeric sign 0x{sign:X4}.");
        }

        var at = 0;
        if (sign == Negative)
        {
            destination[at++] = (byte)'-';
        }

        if (weight < 0)
        {
            destination[at++] = (byte)'0';
        }
        else
        {
            // The first group without leading zeros, the others as four digits each.
            var first = Digit(wire, digitCount, 0);
            at += WriteGroup(first, destination[at..], leadingZeros: false);
            for (var i = 1; i <= weight; i++)
            {
                at += WriteGroup(Digit(wire, digitCount, i), destination[at..], leadingZeros: true);
            }
        }

        if (scale > 0)
        {
            destination[at++] = (byte)'.';
            Span<byte> group = stackalloc byte[4];
            for (int i = weight + 1, remaining = scale; remaining > 0; i++)
            {
                WriteGroup(Digit(wire, digitCount, i), group, leadingZeros: true);
                var take = Math.Min(4, remaining);
                group[..take].CopyTo(destination[at..]);
                at += take;
                remaining -= take;
            }
        }

        written = at;
        return true;
    }

    private static int WriteGroup(short group, Span<byte> destination, bool leadingZeros)
    {
        if (!leadingZeros && group < 1000)
        {
            var digits = group < 10 ? 1 : group < 100 ? 2 : 3;
            for (var d = digits - 1; d >= 0; d--)
            {
                destination[d] = (byte)('0' + (group % 10));
                group /= 10;
            }

            return digits;
        }

        for (var d = 3; d >= 0; d--)
        {
            destination[d] = (byte)('0' + (group % 10));
            group /= 10;
        }

        return 4;
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }

    private static short Digit(ReadOnlySpan<byte> wire, int digitCount, int index) =>
        index >= 0 && index < digitCount ? BinaryPrimitives.ReadInt16BigEndian(wire[(8 + (2 * index))..]) : (short)0;
}
