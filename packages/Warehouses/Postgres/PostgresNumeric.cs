using System.Buffers.Binary;
using System.Text;

namespace Lightdash.Net.Warehouses.Postgres;

/// <summary>
/// Decodes PostgreSQL's binary <c>numeric</c> into its exact decimal text. <see cref="decimal"/>
/// holds only 28 digits, and numeric holds up to 131072 before the point, so the value is never
/// routed through a .NET number.
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

    /// <summary>Decodes the wire format: ndigits, weight, sign, dscale (int16 each), then base-10000 digits.</summary>
    public static Value Decode(ReadOnlySpan<byte> wire)
    {
        var digitCount = BinaryPrimitives.ReadInt16BigEndian(wire);
        var weight = BinaryPrimitives.ReadInt16BigEndian(wire[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(wire[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(wire[6..]);
        switch (sign)
        {
            case NaN: return new Value("NaN", false);
            case PositiveInfinity: return new Value("Infinity", false);
            case NegativeInfinity: return new Value("-Infinity", false);
            case Positive or Negative: break;
            default: throw new FormatException($"Unknown numeric sign 0x{sign:X4}.");
        }

        var text = new StringBuilder((digitCount + 2) * 4);
        if (sign == Negative)
        {
            text.Append('-');
        }

        if (weight < 0)
        {
            text.Append('0');
        }
        else
        {
            text.Append(Digit(wire, digitCount, 0));
            for (var i = 1; i <= weight; i++)
            {
                text.Append(Digit(wire, digitCount, i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (scale > 0)
        {
            text.Append('.');
            var written = 0;
            for (var i = weight + 1; written < scale; i++)
            {
                var group = Digit(wire, digitCount, i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                var take = Math.Min(4, scale - written);
                text.Append(group, 0, take);
                written += take;
            }
        }

        return new Value(text.ToString(), true);
    }

    private static short Digit(ReadOnlySpan<byte> wire, int digitCount, int index) =>
        index >= 0 && index < digitCount ? BinaryPrimitives.ReadInt16BigEndian(wire[(8 + (2 * index))..]) : (short)0;
}
