using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using DuckDB.NET.Data;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;
using Lightdash.Net.Warehouses.DuckDb;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// The warehouse of SQL composed over stored results: a DuckDB database of its own (a temporary file,
/// so that large inputs spill to disk rather than memory), with one table per reference loaded from
/// the referenced query's stored rows. Each result streams from the results store to a local JSON
/// lines file (bounded memory), which DuckDB reads with the column types of the original result;
/// then the user's SQL runs on the sandboxed database, which reads those tables and nothing else.
/// </summary>
public sealed class ComposeDatabase(QueryHistoryStore history, IResultsStore results, ILogger<ComposeDatabase> logger)
{
    private const string TemporaryPrefix = "lightdash-compose-";

    // DuckDB's own memory for the load and the query (beyond it, it spills to the temporary folder).
    private const string MemoryLimit = "96MB";

    /// <summary>A reference as stored in the history row: the query whose result a table reads.</summary>
    /// <param name="QueryUuid">The referenced query.</param>
    /// <param name="ResultsFileName">Its stored result when the composed query was submitted.</param>
    public sealed record Reference(Guid QueryUuid, string? ResultsFileName);

    /// <summary>A database ready for the composed SQL; disposing it deletes its files.</summary>
    public sealed class Prepared(IWarehouseClient client, string folder) : IAsyncDisposable
    {
        /// <summary>The client that runs the composed SQL.</summary>
        public IWarehouseClient Client { get; } = client;

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            if (Client is IAsyncDisposable disposable)
            {
                // Its database is closed before its files go.
                await disposable.DisposeAsync();
            }

            DeleteFolder(folder);
        }
    }

    /// <summary>Loads every referenced result; fails (naming it) when one is no longer ready.</summary>
    public async Task<Prepared> PrepareAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var references = JsonSerializer.Deserialize<Dictionary<string, Reference>>(query.ComposeReferencesJson!, JsonSerializerOptions.Web)!;
        var folder = Directory.CreateTempSubdirectory(TemporaryPrefix).FullName;
        try
        {
            var databaseFile = Path.Combine(folder, "composed.duckdb");
            var connectionString = $"Data Source={databaseFile};memory_limit={MemoryLimit};threads=1";
            await using (var loader = new DuckDBConnection(connectionString))
            {
                await loader.OpenAsync(cancellationToken);
                await ExecuteAsync(loader, $"SET temp_directory = {DuckDbSqlDialect.Instance.QuoteString(Path.Combine(folder, "spill"))}", cancellationToken);
                foreach (var (table, reference) in references)
                {
                    await LoadAsync(loader, folder, table, reference, cancellationToken);
                }
            }

            logger.LogInformation("Query {QueryUuid}: {Count} stored results loaded for composed SQL", query.QueryUuid, references.Count);
            return new Prepared(new DuckDbWarehouseClient(connectionString, new DuckDbLimits(MemoryLimit, Threads: 1, Setting: "the compose database's own limit")), folder);
        }
        catch (DuckDBException e)
        {
            DeleteFolder(folder);
            throw new WarehouseQueryException($"Loading the referenced results failed: {e.Message}");
        }
        catch
        {
            DeleteFolder(folder);
            throw;
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A DuckDB file still held by a closing connection: the temporary folder is left to the system.
        }
    }

    private async Task LoadAsync(DuckDBConnection loader, string folder, string table, Reference reference, CancellationToken cancellationToken)
    {
        var source = await history.FindAsync(reference.QueryUuid, cancellationToken);
        if (source is null || source.Status != QueryStatus.Ready || source.ResultsFileName != reference.ResultsFileName)
        {
            throw new WarehouseQueryException(
                $"Table {table} reads query {reference.QueryUuid}, whose result is no longer available ({(source is null ? "deleted" : source.Status.ToName())}). Run it again, then compose again.");
        }

        var columns = ColumnsJson.Parse(source.ColumnsJson);
        var file = Path.Combine(folder, $"{table}.jsonl");
        var scales = new NumberScales(columns);
        await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var pipe = new Pipe();
            var copying = CopyAsync(source, pipe.Writer, cancellationToken);
            await DrainAsync(pipe.Reader, output, scales, cancellationToken);
            await copying;
        }

        var types = string.Join(", ", columns.Select(c => $"{DuckDbSqlDialect.Instance.QuoteString(c.Reference)}: {DuckDbSqlDialect.Instance.QuoteString(scales.DuckDbType(c))}"));
        await ExecuteAsync(
            loader,
            $"CREATE TABLE {DuckDbSqlDialect.Instance.QuoteIdentifier(table)} AS SELECT * FROM read_json({DuckDbSqlDialect.Instance.QuoteString(file)}, " +
            $"format = 'newline_delimited', columns = {{{types}}}, maximum_object_size = 4194304)",
            cancellationToken);
        File.Delete(file);
    }

    private async Task CopyAsync(QueryHistoryRecord source, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            await results.CopyAllAsync(HistoryResultSources.Of(source), writer, cancellationToken);
            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
            throw;
        }
    }

    // Writes the lines to the file as they come. When a column holds exact decimals, each line is
    // rewritten with those numbers as strings (DuckDB reads a JSON number through a double, a string
    // exactly) and their scale noted; otherwise the bytes are copied as they are.
    private static async Task DrainAsync(PipeReader reader, Stream output, NumberScales scales, CancellationToken cancellationToken)
    {
        var rewritten = new ArrayBufferWriter<byte>(1 << 16);
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var consumed = buffer.End;
            if (scales.Active)
            {
                rewritten.ResetWrittenCount();
                consumed = buffer.Start;
                while (buffer.Slice(consumed).PositionOf((byte)'\n') is { } end)
                {
                    scales.Rewrite(buffer.Slice(consumed, end), rewritten);
                    consumed = buffer.GetPosition(1, end);
                }

                if (read.IsCompleted && !buffer.Slice(consumed).IsEmpty)
                {
                    scales.Rewrite(buffer.Slice(consumed), rewritten);
                    consumed = buffer.End;
                }

                await output.WriteAsync(rewritten.WrittenMemory, cancellationToken);
            }
            else
            {
                foreach (var segment in buffer)
                {
                    await output.WriteAsync(segment, cancellationToken);
                }
            }

            if (read.IsCompleted)
            {
                await reader.CompleteAsync();
                return;
            }

            reader.AdvanceTo(consumed, buffer.End);
        }
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The DuckDB type of each column, from the original result's types; exact decimals without a
    /// declared precision get the widest scale and integer part seen in the data, so no digit is lost.
    /// </summary>
    private sealed class NumberScales(IReadOnlyList<ResultColumn> columns)
    {
        private readonly Dictionary<string, (int Integer, int Scale)> _seen = columns
            .Where(c => IsDecimal(c.WarehouseType))
            .ToDictionary(c => c.Reference, _ => (1, 0), StringComparer.Ordinal);

        private readonly (string Name, byte[] Utf8)[] _names = [.. columns.Where(c => IsDecimal(c.WarehouseType)).Select(c => (c.Reference, System.Text.Encoding.UTF8.GetBytes(c.Reference)))];

        public bool Active => _seen.Count > 0;

        /// <summary>Writes the line (and its newline) with the decimal columns' numbers as strings, noting their scale.</summary>
        public void Rewrite(ReadOnlySequence<byte> line, ArrayBufferWriter<byte> output)
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

        /// <summary>The decimal column a property name is, or null.</summary>
        private string? Match(ref Utf8JsonReader reader)
        {
            foreach (var (name, utf8) in _names)
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
            var digits = number[0] == (byte)'-' ? number[1..] : number;
            if (digits.IndexOfAny((byte)'e', (byte)'E') >= 0)
            {
                // 1e20 and the like: counted by their plain digits, as DuckDB's cast writes them out.
                var text = System.Text.Encoding.ASCII.GetString(digits);
                digits = decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var plain)
                    ? System.Text.Encoding.ASCII.GetBytes(plain.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : digits;
            }

            var point = digits.IndexOf((byte)'.');
            var integer = point < 0 ? digits.Length : point;
            var scale = point < 0 ? 0 : digits.Length - point - 1;
            var seen = _seen[column];
            _seen[column] = (Math.Max(seen.Integer, integer), Math.Max(seen.Scale, scale));
        }

        public string DuckDbType(ResultColumn column)
        {
            var warehouseType = column.WarehouseType.ToLowerInvariant();
            if (_seen.TryGetValue(column.Reference, out var seen))
            {
                var precision = seen.Integer + seen.Scale;
                return precision <= 38 ? $"DECIMAL({Math.Max(precision, 1)}, {seen.Scale})" : "DOUBLE";
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

        private static bool IsDecimal(string warehouseType) =>
            warehouseType.ToLowerInvariant() is "money" || warehouseType.StartsWith("numeric", StringComparison.OrdinalIgnoreCase)
            || warehouseType.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase);
    }
}
