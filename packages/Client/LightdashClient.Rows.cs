using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    /// <summary>
    /// Every row of a ready query in order, each mapped to <typeparamref name="T"/> from its raw values (a
    /// record whose properties are the field ids, matched case-insensitively, or <see cref="JsonElement"/>
    /// for the row object itself). Where the server stores results, the rows come through the chunk
    /// manifest: up to <see cref="LightdashClientOptions.ChunkParallelism"/> chunks download at once straight
    /// from the storage (without the token) while the caller reads the earlier ones. Otherwise they come from
    /// the whole-result stream (<c>application/x-ndjson</c>) as it arrives. Memory holds a few chunks (or a
    /// buffer of lines), whatever the size of the result.
    /// </summary>
    /// <exception cref="LightdashApiException">The query is not ready (409), or does not exist (404), or a chunk could not be downloaded.</exception>
    public async IAsyncEnumerable<T> ReadRowsAsync<T>(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChunkManifest? manifest;
        try
        {
            manifest = await GetChunkManifestAsync(projectUuid, queryUuid, cancellationToken).ConfigureAwait(false);
        }
        catch (LightdashApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // No results storage (or not ready: the stream below answers that 409 itself).
            manifest = null;
        }

        var rows = manifest is null ? ReadStreamedRowsAsync<T>(projectUuid, queryUuid, cancellationToken) : ReadChunkedRowsAsync<T>(projectUuid, manifest, cancellationToken);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private async IAsyncEnumerable<T> ReadStreamedRowsAsync<T>(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(
            HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}/results", null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await foreach (var row in Ndjson.ReadAsync<T>(stream, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }

    /// <summary>
    /// Every page of a ready query in order (pages of <see cref="LightdashClientOptions.PageSize"/> rows),
    /// the next one fetched while the caller reads the current one: for callers that work page by page.
    /// </summary>
    /// <exception cref="QueryFailedException">The query failed, was cancelled or expired.</exception>
    public async IAsyncEnumerable<QueryPage> ReadPagesAsync(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = GetPageAsync(projectUuid, queryUuid, 1, null, cancellationToken);
        while (next is not null)
        {
            var page = await next.ConfigureAwait(false);
            next = page.NextPage is { } number ? GetPageAsync(projectUuid, queryUuid, number, null, cancellationToken) : null;
            yield return page;
        }
    }
}
