using System.Buffers.Binary;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Warehouses.Tests;

public class PostgresNumericTests
{
    private static byte[] Wire(short weight, ushort sign, short scale, params short[] digits)
    {
        var bytes = new byte[8 + (2 * digits.Length)];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)digits.Length);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), sign);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(6), scale);
        for (var i = 0; i < digits.Length; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(8 + (2 * i)), digits[i]);
        }

        return bytes;
    }

    [Test]
    public void Decode_Zero() => Assert.That(PostgresNumeric.Decode(Wire(0, 0, 0)).Text, Is.EqualTo("0"));

    [Test]
    public void Decode_KeepsScaleZeros() =>
        // 1.50: weight 0, digits [1, 5000], scale 2
        Assert.That(PostgresNumeric.Decode(Wire(0, 0, 2, 1, 5000)).Text, Is.EqualTo("1.50"));

    [Test]
    public void Decode_NegativeSmallFraction() =>
        // -0.0001234: weight -1 (the first group holds the 4 digits after the point), digits [1, 2340], scale 7
        Assert.That(PostgresNumeric.Decode(Wire(-1, 0x4000, 7, 1, 2340)).Text, Is.EqualTo("-0.0001234"));

    [Test]
    public void Decode_IntegerWithTrailingZeroGroups() =>
        // 100000000: weight 2, digits [1] (the zero groups are implied)
        Assert.That(PostgresNumeric.Decode(Wire(2, 0, 0, 1)).Text, Is.EqualTo("100000000"));

    [TestCase((ushort)0xC000, "NaN")]
    [TestCase((ushort)0xD000, "Infinity")]
    [TestCase((ushort)0xF000, "-Infinity")]
    public void Decode_SpecialValues_AreNotJsonNumbers(ushort sign, string text)
    {
        var value = PostgresNumeric.Decode(Wire(0, sign, 0));
        Assert.That(value.Text, Is.EqualTo(text));
        Assert.That(value.IsFinite, Is.False);
    }
}
