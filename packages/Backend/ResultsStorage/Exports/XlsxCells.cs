using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// SpreadsheetML cells as bytes. Cells carry no reference (<c>r</c>): each follows the one before, so a
/// null is an empty cell. Text is inline (no shared-strings table to build), escaped for XML, and
/// characters XML cannot hold are written as Excel's <c>_xHHHH_</c>.
/// </summary>
public static class XlsxCells
{
    private static readonly SearchValues<byte> Escaped = SearchValues.Create("&<>\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"u8);

    /// <summary>An empty cell.</summary>
    public static void WriteEmpty(IBufferWriter<byte> output) => output.Write("<c/>"u8);

    /// <summary>A number cell from its text as JSON writes it (a valid XML number).</summary>
    public static void WriteNumber(IBufferWriter<byte> output, ReadOnlySpan<byte> number)
    {
        output.Write("<c><v>"u8);
        output.Write(number);
        output.Write("</v></c>"u8);
    }

    /// <summary>A number cell.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, double number, int style = 0)
    {
        output.Write(style == 0 ? "<c><v>"u8 : style == XlsxPackage.DateStyle ? "<c s=\"1\"><v>"u8 : "<c s=\"2\"><v>"u8);
        var span = output.GetSpan(32);
        Utf8Formatter.TryFormat(number, span, out var written, new StandardFormat('R'));
        output.Advance(written);
        output.Write("</v></c>"u8);
    }

    /// <summary>A number cell of an exact decimal.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, decimal number)
    {
        output.Write("<c><v>"u8);
        var span = output.GetSpan(40);
        Utf8Formatter.TryFormat(number, span, out var written);
        output.Advance(written);
        output.Write("</v></c>"u8);
    }

    /// <summary>
    /// A date or date-and-time cell: its Excel serial number (days since 1899-12-30, the time of day as a
    /// fraction to ten digits, under a millisecond) with the matching style. Written with integer arithmetic;
    /// dates before 1900-03-01, where Excel's calendar differs, go through <see cref="DateTime.ToOADate"/>.
    /// </summary>
    public static void WriteDate(IBufferWriter<byte> output, DateTime value, bool withTime)
    {
        if (value < SerialsAgree)
        {
            WriteNumber(output, value.ToOADate(), withTime ? XlsxPackage.DateTimeStyle : XlsxPackage.DateStyle);
            return;
        }

        output.Write(withTime ? "<c s=\"2\"><v>"u8 : "<c s=\"1\"><v>"u8);
        var ticks = value.Ticks - SerialEpoch.Ticks;
        var days = ticks / TimeSpan.TicksPerDay;
        var fraction = (long)((((UInt128)(ulong)(ticks % TimeSpan.TicksPerDay) * (ulong)FractionScale) + (TimeSpan.TicksPerDay / 2)) / TimeSpan.TicksPerDay);
        if (fraction == FractionScale)
        {
            (days, fraction) = (days + 1, 0);
        }

        var span = output.GetSpan(32);
        Utf8Formatter.TryFormat(days, span, out var written);
        if (fraction > 0)
        {
            span[written++] = (byte)'.';
            Utf8Formatter.TryFormat(fraction, span[written..], out var digits, new StandardFormat('D', FractionDigits));
            written += digits;
            while (span[written - 1] == (byte)'0')
            {
                written--;
            }
        }

        output.Advance(written);
        output.Write("</v></c>"u8);
    }

    private const int FractionDigits = 10;
    private const long FractionScale = 10_000_000_000;
    private static readonly DateTime SerialEpoch = new(1899, 12, 30);
    private static readonly DateTime SerialsAgree = new(1900, 3, 1);

    /// <summary>A boolean cell.</summary>
    public static void WriteBoolean(IBufferWriter<byte> output, bool value) =>
        output.Write(value ? "<c t=\"b\"><v>1</v></c>"u8 : "<c t=\"b\"><v>0</v></c>"u8);

    /// <summary>A text cell.</summary>
    public static void WriteText(IBufferWriter<byte> output, string text) => WriteText(output, Encoding.UTF8.GetBytes(text));

    /// <summary>A text cell from UTF-8 bytes.</summary>
    public static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        // Spaces at either end are kept only when said so.
        output.Write(text.Length > 0 && (IsSpace(text[0]) || IsSpace(text[^1])) ? "<c t=\"inlineStr\"><is><t xml:space=\"preserve\">"u8 : "<c t=\"inlineStr\"><is><t>"u8);
        var rest = text;
        int special;
        while ((special = rest.IndexOfAny(Escaped)) >= 0)
        {
            output.Write(rest[..special]);
            output.Write(rest[special] switch
            {
                (byte)'&' => "&amp;"u8,
                (byte)'<' => "&lt;"u8,
                (byte)'>' => "&gt;"u8,
                _ => ControlCharacter(rest[special]),
            });
            rest = rest[(special + 1)..];
        }

        output.Write(rest);
        output.Write("</t></is></c>"u8);
    }

    private static bool IsSpace(byte value) => value is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    private static byte[] ControlCharacter(byte value) => Encoding.ASCII.GetBytes($"_x{value:X4}_");
}
