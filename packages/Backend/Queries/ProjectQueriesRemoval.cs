using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;

namespace Lightdash.Net.Backend.Queries;

/// <summary>A deleted project's queries: its running ones are cancelled, its results files and exports deleted.</summary>
public sealed class ProjectQueriesRemoval(
    QueryHistoryStore history, AsyncQueryService queries, IResultsStore results, ILogger<ProjectQueriesRemoval> logger) : IProjectDataRemoval
{
    /// <inheritdoc />
    public async Task RemoveAsync(Guid projectUuid, Func<CancellationToken, Task> deleteProject, CancellationToken cancellationToken)
    {
        var (active, files) = await history.ProjectQueriesAsync(projectUuid, cancellationToken);
        foreach (var queryUuid in active)
        {
            await queries.CancelIfActiveAsync(queryUuid, cancellationToken);
        }

        await deleteProject(cancellationToken);
        foreach (var file in files)
        {
            await results.DeleteAsync(file, cancellationToken);
        }

        await results.DeleteExportsAsync(projectUuid, null, cancellationToken);
        logger.LogInformation("Project {ProjectUuid} deleted with {QueryFiles} results files ({Cancelled} running queries cancelled)", projectUuid, files.Count, active.Count);
    }
}
