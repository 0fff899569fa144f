using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Lightdash.Net.Warehouses;

/// <summary>Writes .NET values that drivers return as JSON, keeping their type.</summary>
public static class JsonValues
{
    /// <summary>A double as a JSON number; NaN and infinities, which JSON lacks, as the strings warehouses print.</summary>
    public static void WriteDouble(double value, Utf8JsonWriter writer)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    /// <summary>A date as <c>yyyy-MM-dd</c>.</summary>
    public static void WriteDate(DateOnly date, Utf8JsonWriter writer)
    {
        Span<char> text = stackalloc char[16];
        date.TryFormat(text, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }

    /// <summary>Bytes of a stream as base64 text.</summary>
    public static void WriteBytes(Stream stream, Utf8JsonWriter writer)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        writer.WriteBase64StringValue(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Writes any value a driver returns: scalars, arrays and lists as arrays, dictionaries as objects.</summary>
    public static void WriteAny(object? value, Utf8JsonWriter writer)
    {
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case sbyte n: writer.WriteNumberValue(n); break;
            case byte n: writer.WriteNumberValue(n); break;
            case short n: writer.WriteNumberValue(n); break;
            case ushort n: writer.WriteNumberValue(n); break;
            case int n: writer.WriteNumberValue(n); break;
            case uint n: writer.WriteNumberValue(n); break;
            case long n: writer.WriteNumberValue(n); break;
            case ulong n: writer.WriteNumberValue(n); break;
            case BigInteger n: writer.WriteRawValue(n.ToString(CultureInfo.InvariantCulture), skipInputValidation: true); break;
            case decimal n: writer.WriteNumberValue(n); break;
            case float n: WriteDouble(n, writer); break;
            case double n: WriteDouble(n, writer); break;
            case DateTime t: writer.WriteStringValue(t); break;
            case DateTimeOffset t: writer.WriteStringValue(t); break;
            case DateOnly d: WriteDate(d, writer); break;
            case TimeOnly t: writer.WriteStringValue(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
            case TimeSpan t: writer.WriteStringValue(t.ToString("c", CultureInfo.InvariantCulture)); break;
            case Guid g: writer.WriteStringValue(g); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case Stream stream: WriteBytes(stream, writer); break;
            case Array { Rank: > 1 } array: WriteMultidimensional(array, writer, 0, new int[array.Rank]); break;
            case IDictionary dictionary: WriteDictionary(dictionary, writer); break;
            case IEnumerable items: WriteItems(items, writer); break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static void WriteItems(IEnumerable items, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            WriteAny(item, writer);
        }

        writer.WriteEndArray();
    }

    private static void WriteDictionary(IDictionary dictionary, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
            WriteAny(entry.Value, writer);
        }

        writer.WriteEndObject();
    }

    private static void WriteMultidimensional(Array array, Utf8JsonWriter writer, int dimension, int[] indices)
    {
        writer.WriteStartArray();
        for (var i = array.GetLowerBound(dimension); i <= array.GetUpperBound(dimension); i++)
        {
            indices[dimension] = i;
            if (dimension == array.Rank - 1)
            {
                WriteAny(array.GetValue(indices), writer);
            }
            else
            {
                WriteMultidimensional(array, writer, dimension + 1, indices);
            }
        }

        writer.WriteEndArray();
    }
}
