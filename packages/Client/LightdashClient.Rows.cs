using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    /// <summary>
    /// Every row of a ready query, each mapped to <typeparamref name="T"/> from its raw values (a record
    /// whose properties are the field ids, matched case-insensitively, or <see cref="JsonElement"/> for
    /// the row object itself). Read from the whole-result stream (<c>application/x-ndjson</c>) as it
    /// arrives: memory holds a buffer of lines, whatever the size of the result.
    /// </summary>
    /// <exception cref="LightdashApiException">The query is not ready (409), or does not exist (404).</exception>
    public async IAsyncEnumerable<T> ReadRowsAsync<T>(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
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
