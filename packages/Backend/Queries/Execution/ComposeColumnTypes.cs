using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// The DuckDB type of each column of a stored result loaded for composed SQL, from the original
/// result's types. DuckDB reads a JSON number through a double, which holds every decimal of up to 15
/// significant digits exactly: a decimal column that declares such a precision (<c>numeric(14,4)</c>)
/// is read as stored. Any other exact decimal must reach DuckDB as a string: its lines are rewritten
/// (<see cref="Rewrite"/>), and one without a declared precision gets the widest scale and integer
/// part seen in the data, so no digit is lost.
/// </summary>
public sealed class ComposeColumnTypes
{
    private const int ExactThroughDouble = 15;
    private const int WidestDecimal = 38;

    private readonly Dictionary<string, (int Precision, int Scale)> _declared;
    private readonly Dictionary<string, (int Integer, int Scale)> _seen;
    private readonly (string Name, byte[] Utf8)[] _quoted;

    /// <summary>Classifies <paramref name="columns"/>.</summary>
    public ComposeColumnTypes(IReadOnlyList<ResultColumn> columns)
    {
        var decimals = columns.Where(c => IsDecimal(c.WarehouseType)).ToList();
        _declared = [];
        foreach (var column in decimals)
        {
            if (ExportColumns.TryDeclaredDecimal(column.WarehouseType, out var precision, out var scale) && precision is > 0 and <= WidestDecimal && scale <= precision)
            {
                _declared[column.Reference] = (precision, scale);
            }
        }

        _seen = decimals.Where(c => !_declared.ContainsKey(c.Reference)).ToDictionary(c => c.Reference, _ => (1, 0), StringComparer.Ordinal);
        _quoted = [.. decimals
            .Where(c => !_declared.TryGetValue(c.Reference, out var declared) || declared.Precision > ExactThroughDouble)
            .Select(c => (c.Reference, Encoding.UTF8.GetBytes(c.Reference)))];
    }

    /// <summary>True when some column's numbers must be rewritten as strings before DuckDB reads the lines.</summary>
    public bool NeedsRewrite => _quoted.Length > 0;

    /// <summary>Writes the line (and its newline) with the quoted columns' numbers as strings, noting their scale.</summary>
    public void Rewrite(ReadOnlySequence<byte> line, IBufferWriter<byte> output)
    {
        if (line.IsEmpty)
        {
            return;
        }

        // One pass of the reader over the line; the bytes between the numbers to quote are copied as they are.
        var rented = line.IsSingleSegment ? null : ArrayPool<byte>.Shared.Rent((int)line.Length);
        try
        {
            ReadOnlySpan<byte> bytes;
            if (rented is null)
            {
                bytes = line.FirstSpan;
            }
            else
            {
                line.CopyTo(rented);
                bytes = rented.AsSpan(0, (int)line.Length);
            }

            var reader = new Utf8JsonReader(bytes);
            var copied = 0;
            string? column = null;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    column = Match(ref reader);
                }
                else if (reader.TokenType == JsonTokenType.Number && reader.CurrentDepth == 1 && column is not null)
                {
                    var start = (int)reader.TokenStartIndex;
                    var number = bytes.Slice(start, reader.ValueSpan.Length);
                    output.Write(bytes[copied..start]);
                    output.Write("\""u8);
                    output.Write(number);
                    output.Write("\""u8);
                    copied = start + number.Length;
                    Note(column, number);
                }
            }

            output.Write(bytes[copied..]);
            output.Write("\n"u8);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The DuckDB type <paramref name="column"/> is loaded as.</summary>
    public string DuckDbType(ResultColumn column)
    {
        var warehouseType = column.WarehouseType.ToLowerInvariant();
        if (_declared.TryGetValue(column.Reference, out var declared))
        {
            return $"DECIMAL({declared.Precision}, {declared.Scale})";
        }

        if (_seen.TryGetValue(column.Reference, out var seen))
        {
            var precision = seen.Integer + seen.Scale;
            return precision <= WidestDecimal ? $"DECIMAL({Math.Max(precision, 1)}, {seen.Scale})" : "DOUBLE";
        }

        return column.Type switch
        {
            DimensionType.Boolean => "BOOLEAN",
            DimensionType.Date => "DATE",
            DimensionType.Timestamp => warehouseType is "timestamptz" or "timestamp with time zone" ? "TIMESTAMPTZ" : "TIMESTAMP",
            DimensionType.Number when warehouseType is "int2" or "int4" or "int8" or "oid" or "xid" or "tinyint" or "smallint" or "integer" or "bigint"
                or "utinyint" or "usmallint" or "uinteger" => "BIGINT",
            DimensionType.Number when warehouseType is "hugeint" or "ubigint" or "uhugeint" => "HUGEINT",
            DimensionType.Number => "DOUBLE",
            _ when warehouseType is "json" or "jsonb" => "JSON",
            _ => "VARCHAR",
        };
    }

    /// <summary>The quoted column a property name is, or null.</summary>
    private string? Match(ref Utf8JsonReader reader)
    {
        foreach (var (name, utf8) in _quoted)
        {
            if (reader.ValueTextEquals(utf8))
            {
                return name;
            }
        }

        return null;
    }

    private void Note(string column, ReadOnlySpan<byte> number)
    {
        if (!_seen.TryGetValue(column, out var seen))
        {
            return;
        }

        var digits = number[0] == (byte)'-' ? number[1..] : number;
        if (digits.IndexOfAny((byte)'e', (byte)'E') >= 0)
        {
            // 1e20 and the like: counted by their plain digits, as DuckDB's cast writes them out.
            var text = Encoding.ASCII.GetString(digits);
            digits = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)
                ? Encoding.ASCII.GetBytes(plain.ToString(CultureInfo.InvariantCulture))
                : digits;
        }

        var point = digits.IndexOf((byte)'.');
        var integer = point < 0 ? digits.Length : point;
        var scale = point < 0 ? 0 : digits.Length - point - 1;
        _seen[column] = (Math.Max(seen.Integer, integer), Math.Max(seen.Scale, scale));
    }

    private static bool IsDecimal(string warehouseType) =>
        warehouseType.ToLowerInvariant() is "money" || warehouseType.StartsWith("numeric", StringComparison.OrdinalIgnoreCase)
        || warehouseType.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase);
}
