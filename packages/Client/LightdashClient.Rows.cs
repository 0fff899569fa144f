using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    /// <summary>
    /// Every row of a ready query, page after page, each mapped to <typeparamref name="T"/> from its raw
    /// values (a record whose properties are the field ids, matched case-insensitively, or
    /// <see cref="JsonElement"/> for the row object itself). The next page is fetched while the caller
    /// reads the current one; memory holds about two pages whatever the size of the result.
    /// </summary>
    /// <exception cref="QueryFailedException">The query failed, was cancelled or expired.</exception>
    public async IAsyncEnumerable<T> ReadRowsAsync<T>(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = GetPageAsync(projectUuid, queryUuid, 1, null, cancellationToken);
        while (next is not null)
        {
            var page = await next.ConfigureAwait(false);
            next = page.NextPage is { } number ? GetPageAsync(projectUuid, queryUuid, number, null, cancellationToken) : null;
            foreach (var row in page.Rows)
            {
                yield return Map<T>(row);
            }
        }
    }

    /// <summary>
    /// Every row of a ready query as one stream (<c>application/x-ndjson</c>, one JSON object per line keyed
    /// by field id), read as it arrives: the fastest way through a large result.
    /// </summary>
    public async IAsyncEnumerable<T> StreamRowsAsync<T>(Guid projectUuid, Guid queryUuid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(
            HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}/results", null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    yield return typeof(T) == typeof(JsonElement)
                        ? (T)(object)JsonDocument.Parse(line).RootElement.Clone()
                        : JsonSerializer.Deserialize<T>(line, LightdashJson.Options)!;
                }
            }
        }
    }

    private static T Map<T>(JsonElement row) =>
        typeof(T) == typeof(JsonElement) ? (T)(object)row : row.Deserialize<T>(LightdashJson.Options)!;
}
