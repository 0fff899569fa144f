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
/// The warehouse of SQL composed over stored results: an in-memory DuckDB database of its own (within
/// its memory limit; beyond it, it spills to a temporary folder), with one table per reference loaded from
/// the referenced query's stored rows. Each result's stored file is copied to local files of its lines
/// as they are (in parts of whole blocks that DuckDB reads in parallel; inflated, nothing parsed here),
/// or, when exact decimals must reach DuckDB as strings, streamed as rewritten JSON lines (bounded
/// memory either way); DuckDB reads them with the column types
/// of the original result (<see cref="ComposeColumnTypes"/>). Then the user's SQL runs on the sandboxed
/// database, which reads those tables and nothing else.
/// </summary>
/// <remarks>
/// DuckDB reads the files as lines of one text column (its CSV reader, with a delimiter that JSON text
/// never holds, no quoting, and buffers of a few megabytes) and turns each line into the columns with
/// <c>json_transform</c>. Its JSON reader would take buffers of 32 MB per thread whatever the line size,
/// which alone needed twice the memory limit this load runs within.
/// </remarks>
public sealed class ComposeDatabase(QueryHistoryStore history, IResultsStore results, ILogger<ComposeDatabase> logger)
{
    /// <summary>The file of DuckDB's native library, as the process maps it.</summary>
    public const string NativeLibrary = "libduckdb.so";

    private const string TemporaryPrefix = "lightdash-compose-";

    // DuckDB's own memory for the load and the query (beyond it, it spills to the temporary folder).
    private const string MemoryLimit = "48MB";

    // The longest stored line (row) a load takes, and the read buffer per thread, which must exceed it.
    private const int MaxLineBytes = 4 << 20;

    // Never in JSON text (a control character, escaped inside strings): each line is one field.
    private const string LineDelimiter = "\u0001";

    // As many threads as a project's DuckDB warehouse gets by default, for the load and the query.
    private static readonly int Threads = DuckDbLimits.Default.Threads;

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
        var database = new DuckDBConnection($"Data Source=:memory:;memory_limit={MemoryLimit};threads={Threads}");
        try
        {
            await database.OpenAsync(cancellationToken);
            // What does not fit in the memory limit goes to this query's folder.
            await ExecuteAsync(database, $"SET temp_directory = {DuckDbSqlDialect.Instance.QuoteString(Path.Combine(folder, "spill"))}", cancellationToken);
            // Like a warehouse table, a loaded result has no row order of its own (composed SQL that needs
            // one says ORDER BY): its files load in parallel, in any order. The user's SQL keeps DuckDB's
            // default, an unordered query's rows in the order its plan reads them.
            await ExecuteAsync(database, "SET preserve_insertion_order = false", cancellationToken);
            // Freed memory goes back to the system while loading too, not only once the sandbox is on
            // (without it a million-row load held some 100 MB more at its peak).
            await ExecuteAsync(database, "SET allocator_background_threads = true", cancellationToken);
            await ExecuteAsync(database, "SET allocator_flush_threshold = '16MB'", cancellationToken);
            foreach (var (table, reference) in references)
            {
                await LoadAsync(query.QueryUuid, database, folder, table, reference, cancellationToken);
            }

            await ExecuteAsync(database, "SET preserve_insertion_order = true", cancellationToken);

            logger.LogInformation("Query {QueryUuid}: {Count} stored results loaded for composed SQL", query.QueryUuid, references.Count);
            return new Prepared(DuckDbWarehouseClient.Over(database, new DuckDbLimits(MemoryLimit, Threads, Setting: "the compose database's own limit")), folder);
        }
        catch (DuckDBException e)
        {
            await database.DisposeAsync();
            DeleteFolder(folder);
            throw new WarehouseQueryException($"Loading the referenced results failed: {e.Message}");
        }
        catch
        {
            await database.DisposeAsync();
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
            // A spill file still held by a closing database: the temporary folder is left to the system.
        }
    }

    private async Task LoadAsync(Guid queryUuid, DuckDBConnection loader, string folder, string table, Reference reference, CancellationToken cancellationToken)
    {
        var source = await history.FindAsync(reference.QueryUuid, cancellationToken);
        if (source is null || source.Status != QueryStatus.Ready || source.ResultsFileName != reference.ResultsFileName)
        {
            throw new WarehouseQueryException(
                $"Table {table} reads query {reference.QueryUuid}, whose result is no longer available ({(source is null ? "deleted" : source.Status.ToName())}). Run it again, then compose again.");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var columns = ColumnsJson.Parse(source.ColumnsJson);
        var types = new ComposeColumnTypes(columns);
        var (files, asStored) = await WriteLinesAsync(source, types, Path.Combine(folder, table), cancellationToken);
        var copied = clock.Elapsed;
        await ExecuteAsync(loader, LoadSql(table, files, columns, types), cancellationToken);
        foreach (var file in files.Paths)
        {
            File.Delete(file);
        }

        logger.LogInformation(
            "Query {QueryUuid}: table {Table} loaded from query {SourceQueryUuid} in {ElapsedMs:N0} ms, {CopyMs:N0} ms of it copying its lines ({How})",
            queryUuid, table, reference.QueryUuid, clock.Elapsed.TotalMilliseconds, copied.TotalMilliseconds, asStored ? "as stored" : "rewritten");
    }

    // Each line is read as one text field and transformed into the result's columns, in their order and with their types.
    private static string LoadSql(string table, StoredFileCopy files, IReadOnlyList<ResultColumn> columns, ComposeColumnTypes types)
    {
        var structure = new System.Text.Json.Nodes.JsonObject();
        foreach (var column in columns)
        {
            structure[column.Reference] = types.DuckDbType(column);
        }

        var dialect = DuckDbSqlDialect.Instance;
        var paths = string.Join(", ", files.Paths.Select(dialect.QuoteString));
        return $"CREATE TABLE {dialect.QuoteIdentifier(table)} AS SELECT unnest(json_transform(line, {dialect.QuoteString(structure.ToJsonString())})) " +
            $"FROM read_csv([{paths}], compression = 'none', delim = {dialect.QuoteString(LineDelimiter)}, quote = '', escape = '', " +
            $"header = false, auto_detect = false, columns = {{'line': 'VARCHAR'}}, max_line_size = {MaxLineBytes}, buffer_size = {MaxLineBytes + 1})";
    }

    // The stored lines as they are, in parts DuckDB reads in parallel, when it can take the numbers as
    // they are (nothing parsed here); otherwise one file of decoded lines, rewritten where a column's numbers
    // must be strings. Says which it was.
    private async Task<(StoredFileCopy Files, bool AsStored)> WriteLinesAsync(QueryHistoryRecord source, ComposeColumnTypes types, string pathPrefix, CancellationToken cancellationToken)
    {
        if (!types.NeedsRewrite && await results.DownloadStoredFileAsync(HistoryResultSources.Of(source), pathPrefix, cancellationToken) is { } stored)
        {
            return (stored, true);
        }

        var file = pathPrefix + ".jsonl";
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var pipe = new Pipe();
        var copying = CopyAsync(source, pipe.Writer, cancellationToken);
        await DrainAsync(pipe.Reader, output, types, cancellationToken);
        await copying;
        return (new StoredFileCopy([file]), false);
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
    private static async Task DrainAsync(PipeReader reader, Stream output, ComposeColumnTypes scales, CancellationToken cancellationToken)
    {
        var rewritten = new ArrayBufferWriter<byte>(1 << 16);
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var consumed = buffer.End;
            if (scales.NeedsRewrite)
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
}
