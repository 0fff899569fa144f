using System.Data.Common;
using System.Text.Json;
using Lightdash.Net.Common;

namespace Lightdash.Net.Warehouses;

/// <summary>Writes a driver's current row as one JSON object, column by column, with a writer chosen per column.</summary>
/// <typeparam name="TReader">The driver's data reader.</typeparam>
public sealed class RowJsonWriter<TReader>
    where TReader : DbDataReader
{
    private readonly IReadOnlyList<ResultColumn> _columns;
    private readonly JsonEncodedText[] _names;
    private readonly Action<TReader, int, Utf8JsonWriter>[] _writers;
    private readonly Func<Exception, bool> _isReadFailure;

    /// <summary>Prepares the column names once.</summary>
    /// <param name="columns">The result's columns.</param>
    /// <param name="writers">One value writer per column (nulls are handled here).</param>
    /// <param name="isReadFailure">Which exceptions mean "this value cannot be read" (reported naming the column).</param>
    public RowJsonWriter(IReadOnlyList<ResultColumn> columns, Action<TReader, int, Utf8JsonWriter>[] writers, Func<Exception, bool> isReadFailure)
    {
        _columns = columns;
        _writers = writers;
        _isReadFailure = isReadFailure;
        _names = columns.Select(c => JsonEncodedText.Encode(c.Reference, JsonSerialization.Encoder)).ToArray();
    }

    /// <summary>Writes the reader's current row.</summary>
    /// <exception cref="WarehouseQueryException">A value could not be read; the message names its column.</exception>
    public void Write(TReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        for (var i = 0; i < _writers.Length; i++)
        {
            writer.WritePropertyName(_names[i]);
            if (reader.IsDBNull(i))
            {
                writer.WriteNullValue();
                continue;
            }

            try
            {
                _writers[i](reader, i, writer);
            }
            catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException or JsonException || _isReadFailure(e))
            {
                throw new WarehouseQueryException($"Cannot read column \"{_columns[i].Reference}\" ({_columns[i].WarehouseType}): {e.Message}", e);
            }
            catch (OutOfMemoryException e)
            {
                // One value larger than .NET can hold (a text of a billion characters): the allocation
                // failed, nothing else did, and the query fails naming the column.
                throw new WarehouseQueryException(
                    $"A value of column \"{_columns[i].Reference}\" is too large for the backend to read (a single value must stay well under 1 GB); shorten it in the query.", e);
            }
        }

        writer.WriteEndObject();
    }
}
