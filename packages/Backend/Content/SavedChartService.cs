using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Content;

/// <summary>Saved charts: project admins save them (content), every member runs them.</summary>
public sealed class SavedChartService(ProjectAccess access, SavedChartStore charts, MetricQueryService metricQueries, QueryVariablesService variablesService)
{
    /// <summary>The newest version of every chart of the project (any member).</summary>
    public async Task<IReadOnlyList<SavedChartResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return (await charts.ListAsync(projectUuid, cancellationToken)).OrderBy(c => c.Name, StringComparer.Ordinal).Select(v => ToResults(v, null)).ToList();
    }

    /// <summary>A chart at a version (the newest by default), with its version list (any member).</summary>
    public async Task<SavedChartResults> GetAsync(CurrentUser user, Guid projectUuid, Guid chartUuid, Guid? versionUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var version = await charts.GetAsync(projectUuid, chartUuid, versionUuid, cancellationToken);
        return ToResults(version, await charts.VersionsAsync(projectUuid, chartUuid, cancellationToken));
    }

    /// <summary>Saves a new chart (project admins); its metric query must compile.</summary>
    public async Task<SavedChartResults> CreateAsync(CurrentUser user, Guid projectUuid, SaveChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var name = InputLimits.RequireName(request.Name);
        InputLimits.CheckDescription(request.Description);
        var (metricQuery, config) = await ValidateAsync(user, project, request, cancellationToken);
        var created = await charts.CreateAsync(projectUuid, name, request.Description, metricQuery, config, user.UserUuid, cancellationToken);
        return ToResults(created, [created.VersionUuid]);
    }

    /// <summary>Saves a new version of a chart (project admins).</summary>
    public async Task<SavedChartResults> AddVersionAsync(CurrentUser user, Guid projectUuid, Guid chartUuid, SaveChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var (metricQuery, config) = await ValidateAsync(user, project, request, cancellationToken);
        var version = await charts.AddVersionAsync(projectUuid, chartUuid, metricQuery, config, user.UserUuid, cancellationToken);
        return ToResults(version, await charts.VersionsAsync(projectUuid, chartUuid, cancellationToken));
    }

    /// <summary>Renames a chart or changes its description (project admins); its query changes through new versions.</summary>
    public async Task<SavedChartResults> RenameAsync(CurrentUser user, Guid projectUuid, Guid chartUuid, SaveChartRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var name = InputLimits.RequireName(request.Name);
        InputLimits.CheckDescription(request.Description);
        await charts.RenameAsync(projectUuid, chartUuid, name, request.Description, cancellationToken);
        return await GetAsync(user, projectUuid, chartUuid, null, cancellationToken);
    }

    /// <summary>Deletes a chart (project admins).</summary>
    public async Task DeleteAsync(CurrentUser user, Guid projectUuid, Guid chartUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        await charts.DeleteAsync(projectUuid, chartUuid, cancellationToken);
    }

    /// <summary>Runs a chart's metric query (any member).</summary>
    public async Task<ExecuteMetricQueryResults> ExecuteAsync(CurrentUser user, Guid projectUuid, ExecuteChartRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var chartUuid = request.ChartUuid ?? throw new ValidationException("chartUuid is required.");
        var version = await charts.GetAsync(projectUuid, chartUuid, request.VersionUuid, cancellationToken);
        var query = JsonSerializer.Deserialize<MetricQueryBody>(version.MetricQueryJson, JsonSerializerOptions.Web)!;
        if (request.Limit is { } limit)
        {
            query = query with { Limit = Math.Min(limit, query.Limit ?? limit) };
        }

        return await metricQueries.ExecuteAsync(
            user,
            projectUuid,
            new ExecuteMetricQueryRequest
            {
                Query = query, Context = request.Context ?? QueryContext.ChartView.ToName(), InvalidateCache = request.InvalidateCache, WaitMs = request.WaitMs, Parameters = request.Parameters,
                StatementTimeoutSeconds = request.StatementTimeoutSeconds, Priority = request.Priority, Callback = request.Callback,
            },
            cancellationToken);
    }

    private async Task<(string MetricQuery, string Config)> ValidateAsync(CurrentUser user, Project project, SaveChartRequest request, CancellationToken cancellationToken)
    {
        var query = request.MetricQuery ?? throw new ValidationException("metricQuery is required: the query the chart runs.");
        // The shape is checked as the saver would run it; parameters without a default are left open (each run sets them).
        var (variables, _) = await variablesService.ResolveAsync(user, project, null, cancellationToken);
        await metricQueries.CompileAsync(project, query, variables with { UnsetParametersAsNull = true }, cancellationToken);
        InputLimits.CheckJsonSize(request.ChartConfig, "chartConfig", InputLimits.MaxChartConfigBytes);
        var config = request.ChartConfig switch
        {
            null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "{}",
            { ValueKind: JsonValueKind.Object } given => given.GetRawText(),
            _ => throw new ValidationException("chartConfig must be an object."),
        };
        return (JsonSerializer.Serialize(query, JsonSerializerOptions.Web), config);
    }

    private static SavedChartResults ToResults(SavedChartStore.ChartVersion version, IReadOnlyList<Guid>? versions) => new()
    {
        SavedChartUuid = version.SavedChartUuid,
        Name = version.Name,
        Description = version.Description,
        VersionUuid = version.VersionUuid,
        VersionCreatedAt = Timestamps.Utc(version.VersionCreatedAt),
        MetricQuery = JsonSerializer.Deserialize<MetricQueryBody>(version.MetricQueryJson, JsonSerializerOptions.Web)!,
        ChartConfig = JsonDocument.Parse(version.ChartConfigJson).RootElement.Clone(),
        Versions = versions,
    };
}
