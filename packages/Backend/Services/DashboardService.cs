using System.Text.Json;
using System.Text.Json.Nodes;
using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Backend.Semantic;

namespace Lightdash.Net.Backend.Services;

/// <summary>Dashboards: project admins arrange saved charts in tiles with filters; members run the tiles.</summary>
public sealed class DashboardService(
    ProjectAccess access,
    DashboardModel dashboards,
    SavedChartModel charts,
    SavedSqlModel sqlCharts,
    ExploreRegistry explores,
    MetricQueryService metricQueries)
{
    /// <summary>The project's dashboards (any member).</summary>
    public async Task<IReadOnlyList<DashboardResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return (await dashboards.ListAsync(projectUuid, cancellationToken)).Select(ToResults).ToList();
    }

    /// <summary>One dashboard with its tiles (any member).</summary>
    public async Task<DashboardResults> GetAsync(CurrentUser user, Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return ToResults(await dashboards.GetAsync(projectUuid, dashboardUuid, cancellationToken));
    }

    /// <summary>Creates a dashboard (project admins); every tile's chart must exist in the project.</summary>
    public async Task<DashboardResults> CreateAsync(CurrentUser user, Guid projectUuid, SaveDashboardRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw new ValidationException("name is required.");
        }

        var tiles = new List<DashboardModel.Tile>();
        foreach (var (tile, index) in (request.Tiles ?? []).Select((t, i) => (t, i)))
        {
            if ((tile.SavedChartUuid is null) == (tile.SavedSqlUuid is null))
            {
                throw new ValidationException($"tiles[{index}]: give either savedChartUuid or savedSqlUuid.");
            }

            if (tile.SavedChartUuid is { } chartUuid)
            {
                await charts.GetAsync(projectUuid, chartUuid, null, cancellationToken);
            }
            else
            {
                await sqlCharts.GetAsync(projectUuid, tile.SavedSqlUuid, null, cancellationToken);
            }

            tiles.Add(new DashboardModel.Tile(Guid.NewGuid(), index, tile.SavedChartUuid, tile.SavedSqlUuid));
        }

        var filters = request.Filters is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : "{}";
        return ToResults(await dashboards.CreateAsync(projectUuid, name, request.Description, filters, tiles, cancellationToken));
    }

    /// <summary>Deletes a dashboard (project admins).</summary>
    public async Task DeleteAsync(CurrentUser user, Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        await dashboards.DeleteAsync(projectUuid, dashboardUuid, cancellationToken);
    }

    /// <summary>
    /// Runs a tile's chart with the dashboard's filters: a rule applies where its field exists in the
    /// chart's explore, or where its <c>tileTargets</c> maps this tile to another field (<c>false</c>
    /// there turns it off for this tile). Dashboard sorts, when given, replace the chart's.
    /// </summary>
    public async Task<ExecuteMetricQueryResults> ExecuteChartAsync(CurrentUser user, Guid projectUuid, ExecuteDashboardChartRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var dashboard = await dashboards.GetAsync(projectUuid, request.DashboardUuid ?? throw new ValidationException("dashboardUuid is required."), cancellationToken);
        var tileUuid = request.TileUuid ?? throw new ValidationException("tileUuid is required.");
        var tile = dashboard.Tiles.FirstOrDefault(t => t.TileUuid == tileUuid)
            ?? throw new NotFoundException($"Tile {tileUuid} is not on dashboard {dashboard.DashboardUuid}.");
        if (tile.SavedChartUuid is not { } chartUuid || (request.ChartUuid is { } asked && asked != chartUuid))
        {
            throw new ValidationException($"Tile {tileUuid} does not show chart {request.ChartUuid}.");
        }

        var version = await charts.GetAsync(projectUuid, chartUuid, null, cancellationToken);
        var query = JsonSerializer.Deserialize<MetricQueryBody>(version.MetricQueryJson, JsonSerializerOptions.Web)!;
        var fields = explores.Get(projectUuid).Explores.TryGetValue(query.ExploreName ?? "", out var explore) ? explore.Fields : null;
        var dashboardFilters = request.DashboardFilters is { ValueKind: JsonValueKind.Object } overridden
            ? JsonNode.Parse(overridden.GetRawText())!
            : JsonNode.Parse(dashboard.FiltersJson)!;
        var applied = new List<JsonElement>();
        var rules = new JsonArray();
        foreach (var rule in (dashboardFilters["dimensions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var fieldId = rule["target"]?["fieldId"]?.GetValue<string>();
            var target = rule["tileTargets"]?[tileUuid.ToString()];
            if (target is JsonValue value && value.TryGetValue<bool>(out var on) && !on)
            {
                continue;
            }

            var effective = target?["fieldId"]?.GetValue<string>() ?? fieldId;
            if (effective is null || fields is null || !fields.ContainsKey(effective))
            {
                continue;
            }

            var copy = (JsonObject)rule.DeepClone();
            copy.Remove("tileTargets");
            copy["target"] = new JsonObject { ["fieldId"] = effective };
            rules.Add(copy);
            applied.Add(JsonSerializer.SerializeToElement(copy));
        }

        var filters = query.Filters is { ValueKind: JsonValueKind.Object } own ? JsonNode.Parse(own.GetRawText())!.AsObject() : new JsonObject();
        if (rules.Count > 0)
        {
            var group = new JsonObject { ["and"] = rules };
            if (filters["dimensions"] is { } existing)
            {
                group = new JsonObject { ["and"] = new JsonArray(existing.DeepClone(), new JsonObject { ["and"] = rules.DeepClone() }) };
            }

            filters["dimensions"] = group;
        }

        var effectiveQuery = new MetricQueryBody
        {
            ExploreName = query.ExploreName,
            Dimensions = query.Dimensions,
            Metrics = query.Metrics,
            Filters = JsonSerializer.SerializeToElement(filters),
            Sorts = request.DashboardSorts is { Count: > 0 } sorts ? sorts : query.Sorts,
            Limit = request.Limit is { } limit ? Math.Min(limit, query.Limit ?? limit) : query.Limit,
            TableCalculations = query.TableCalculations,
            Timezone = query.Timezone,
        };
        var results = await metricQueries.ExecuteAsync(
            user, projectUuid, new ExecuteMetricQueryRequest { Query = effectiveQuery, Context = "dashboardView", WaitMs = request.WaitMs }, cancellationToken);
        return new ExecuteMetricQueryResults
        {
            QueryUuid = results.QueryUuid,
            CacheMetadata = results.CacheMetadata,
            MetricQuery = results.MetricQuery,
            Fields = results.Fields,
            FirstPage = results.FirstPage,
            AppliedDashboardFilters = applied,
        };
    }

    private static DashboardResults ToResults(DashboardModel.Dashboard dashboard) => new()
    {
        DashboardUuid = dashboard.DashboardUuid,
        Name = dashboard.Name,
        Description = dashboard.Description,
        Filters = JsonDocument.Parse(dashboard.FiltersJson).RootElement.Clone(),
        Tiles = dashboard.Tiles.Select(t => new DashboardTileResults { TileUuid = t.TileUuid, SavedChartUuid = t.SavedChartUuid, SavedSqlUuid = t.SavedSqlUuid }).ToList(),
    };
}
