using System.IO.Pipelines;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>
/// Without S3 nothing is stored: the query runs once to count its rows and learn its columns, and
/// every page re-runs the stored SQL for just that window (<c>LIMIT</c>/<c>OFFSET</c>). Each page
/// costs a warehouse query, and rows can change between pages when the data does.
/// </summary>
public sealed class WarehouseRefetchStore(IProjectWarehouses projects, WarehouseClientFactory warehouses) : IResultsStore
{
    /// <inheritdoc />
    public string Source => "warehouse";

    /// <inheritdoc />
    public bool HasFiles => false;

    /// <inheritdoc />
    public async Task<StoredLocation> StoreAsync(StoreTarget target, IWarehouseResultReader reader, CancellationToken cancellationToken)
    {
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
        }

        return new StoredLocation(null, rows, 0, null);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>> ReadPageAsync(ResultSource query, long startRow, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var client = await ClientForAsync(query, cancellationToken);
        if (!client.Capabilities.SupportsWindowedRefetch)
        {
            throw new ConflictException("This project's warehouse cannot re-fetch a window of rows, and no results storage (S3) is configured.");
        }

        // The user's limit first, then the page's window inside it.
        var limited = client.Dialect.WrapWithWindow(query.CompiledSql, query.RowLimit, null);
        await using var reader = await client.ExecuteAsync(new WarehouseQuery(limited, count, startRow, Parameters: query.Parameters, Tag: RefetchTag(query)), cancellationToken);
        // The same JSON lines as a stored result, parsed as they are written.
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var parse = ResultRowParser.ReadRowsAsync(pipe.Reader, 0, count, cancellationToken);
        try
        {
            await JsonlRowStreamer.WriteRowsAsync(reader, pipe.Writer, null, cancellationToken);
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            throw;
        }

        var rows = await parse;
        await pipe.Reader.CompleteAsync();
        return rows;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?> ReadLivePageAsync(string uploadKey, long startRow, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IReadOnlyDictionary<string, ResultCell>>?>(null);

    /// <inheritdoc />
    public async Task CopyAllAsync(ResultSource query, PipeWriter destination, CancellationToken cancellationToken)
    {
        var client = await ClientForAsync(query, cancellationToken);
        await using var reader = await client.ExecuteAsync(
            new WarehouseQuery(query.CompiledSql, query.RowLimit, Parameters: query.Parameters, Tag: RefetchTag(query)), cancellationToken);
        await JsonlRowStreamer.WriteRowsAsync(reader, destination, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredFileCopy?> DownloadStoredFileAsync(ResultSource query, string pathPrefix, CancellationToken cancellationToken) =>
        Task.FromResult<StoredFileCopy?>(null);

    /// <inheritdoc />
    public Task DeleteAsync(string? fileName, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task DeleteExportsAsync(Guid projectUuid, Guid? queryUuid, CancellationToken cancellationToken) => Task.CompletedTask;

    // A re-fetch is tagged as the query it reads again, so the warehouse's admin sees whose it is.
    private static QueryTag RefetchTag(ResultSource query) => new(query.QueryUuid, query.UserUuid, query.ProjectUuid, QueryContext.ResultsRefetch.ToName());

    private async Task<IWarehouseClient> ClientForAsync(ResultSource query, CancellationToken cancellationToken)
    {
        return warehouses.GetClient(await projects.ConnectionOfAsync(query.ProjectUuid, query.UserUuid, cancellationToken));
    }
}
