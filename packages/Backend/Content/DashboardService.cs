using System.Text.Json;
using System.Text.Json.Nodes;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Content;

/// <summary>Dashboards: project admins arrange saved charts in tiles with filters; members run the tiles.</summary>
public sealed class DashboardService(
    ProjectAccess access,
    DashboardStore dashboards,
    SavedChartStore charts,
    SavedSqlStore sqlCharts,
    SqlChartService sqlChartService,
    ExploreRegistry explores,
    MetricQueryService metricQueries,
    AsyncQueryService queries,
    Lightdash.Net.Warehouses.WarehouseClientFactory warehouses,
    QueryVariablesService variablesService)
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
        var (name, tiles, filters) = await ValidateAsync(projectUuid, request, cancellationToken);
        return ToResults(await dashboards.CreateAsync(projectUuid, name, request.Description, filters, tiles, cancellationToken));
    }

    /// <summary>Replaces a dashboard's name, description, tiles and filters (project admins); tiles get new ids.</summary>
    public async Task<DashboardResults> ReplaceAsync(CurrentUser user, Guid projectUuid, Guid dashboardUuid, SaveDashboardRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var (name, tiles, filters) = await ValidateAsync(projectUuid, request, cancellationToken);
        return ToResults(await dashboards.ReplaceAsync(projectUuid, dashboardUuid, name, request.Description, filters, tiles, cancellationToken));
    }

    private async Task<(string Name, List<DashboardStore.Tile> Tiles, string Filters)> ValidateAsync(Guid projectUuid, SaveDashboardRequest request, CancellationToken cancellationToken)
    {
        var name = InputLimits.RequireName(request.Name);
        InputLimits.CheckDescription(request.Description);
        InputLimits.CheckCount(request.Tiles, "tiles", InputLimits.MaxTiles);
        DashboardFilterRules.Validate(request.Filters, "filters");
        var tiles = new List<DashboardStore.Tile>();
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

            tiles.Add(new DashboardStore.Tile(Guid.NewGuid(), index, tile.SavedChartUuid, tile.SavedSqlUuid));
        }

        return (name, tiles, request.Filters is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : "{}");
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
        var fields = (await explores.GetAsync(projectUuid, cancellationToken)).Explores.TryGetValue(query.ExploreName ?? "", out var explore) ? explore.Fields : null;
        var (rules, applied) = SelectRules(DashboardFilters(dashboard, request.DashboardFilters), tileUuid, id => fields?.ContainsKey(id) == true);

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

        var effectiveQuery = query with
        {
            Filters = JsonSerializer.SerializeToElement(filters),
            Sorts = request.DashboardSorts is { Count: > 0 } sorts ? sorts : query.Sorts,
            Limit = request.Limit is { } limit ? Math.Min(limit, query.Limit ?? limit) : query.Limit,
        };
        var results = await metricQueries.ExecuteAsync(
            user, projectUuid, new ExecuteMetricQueryRequest
            {
                Query = effectiveQuery, Context = QueryContext.DashboardView.ToName(), WaitMs = request.WaitMs, Parameters = request.Parameters, StatementTimeoutSeconds = request.StatementTimeoutSeconds,
                Priority = request.Priority, Callback = request.Callback,
            }, cancellationToken);
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

    /// <summary>
    /// Runs a dashboard tile's saved SQL chart with the dashboard's filters (any member): rules whose
    /// field (or <c>tileTargets</c> field) is a column of the SQL apply, by wrapping the SQL.
    /// </summary>
    public async Task<ExecuteDashboardSqlChartResults> ExecuteSqlChartAsync(CurrentUser user, Guid projectUuid, ExecuteDashboardSqlChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var dashboard = await dashboards.GetAsync(projectUuid, request.DashboardUuid ?? throw new ValidationException("dashboardUuid is required."), cancellationToken);
        var tileUuid = request.TileUuid ?? throw new ValidationException("tileUuid is required.");
        var tile = dashboard.Tiles.FirstOrDefault(t => t.TileUuid == tileUuid)
            ?? throw new NotFoundException($"Tile {tileUuid} is not on dashboard {dashboard.DashboardUuid}.");
        var chart = await sqlChartService.GetByIdOrSlugAsync(projectUuid, request.SavedSqlUuid, request.Slug, cancellationToken);
        if (tile.SavedSqlUuid != chart.SavedSqlUuid)
        {
            throw new ValidationException($"Tile {tileUuid} does not show SQL chart {chart.Slug}.");
        }

        var columns = await sqlChartService.ColumnsAsync(user, project, chart, cancellationToken);
        var names = columns.Select(c => c.Reference).ToHashSet(StringComparer.Ordinal);
        var (rules, applied) = SelectRules(DashboardFilters(dashboard, request.DashboardFilters), tileUuid, names.Contains);
        var (filters, _) = rules.Count > 0
            ? FilterParser.Parse(JsonSerializer.SerializeToElement(new JsonObject { ["dimensions"] = new JsonObject { ["and"] = rules } }))
            : (null, null);
        var sorts = (request.DashboardSorts ?? [])
            .Select(s => new SortField(s.FieldId ?? throw new ValidationException("dashboardSorts: each sort needs a fieldId."), s.Descending))
            .ToList();
        var dialect = warehouses.GetClient(project.Warehouse).Dialect;
        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        string sql;
        try
        {
            sql = SqlChartFilters.Wrap(SqlVariables.Substitute(chart.Sql, variables, dialect), columns, filters, sorts, dialect);
        }
        catch (MetricQueryException e)
        {
            throw new ValidationException($"{e.Message} (SQL chart {chart.Slug})");
        }

        var submitted = await queries.SubmitAndWaitAsync(
            user, project, new CompiledSubmission(
                sql, chart.RowLimit, QueryContext.DashboardView.ToName(), false, StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds), ParametersJson: parametersJson).For(request), request.WaitMs, cancellationToken);
        return new ExecuteDashboardSqlChartResults
        {
            QueryUuid = submitted.QueryUuid,
            CacheMetadata = submitted.CacheMetadata,
            FirstPage = submitted.FirstPage,
            AppliedDashboardFilters = applied,
        };
    }

    private static JsonNode DashboardFilters(DashboardStore.Dashboard dashboard, JsonElement? overridden)
    {
        DashboardFilterRules.Validate(overridden, "dashboardFilters");
        return overridden is { ValueKind: JsonValueKind.Object } given ? JsonNode.Parse(given.GetRawText())! : JsonNode.Parse(dashboard.FiltersJson)!;
    }

    /// <summary>The dashboard rules that apply to a tile: by their own field, or the tile's <c>tileTargets</c> field; <c>false</c> turns a rule off.</summary>
    private static (JsonArray Rules, List<JsonElement> Applied) SelectRules(JsonNode filters, Guid tileUuid, Func<string, bool> exists)
    {
        var rules = new JsonArray();
        var applied = new List<JsonElement>();
        foreach (var rule in (filters["dimensions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var target = rule["tileTargets"]?[tileUuid.ToString()];
            if (target is JsonValue value && value.TryGetValue<bool>(out var on) && !on)
            {
                continue;
            }

            var effective = target?["fieldId"]?.GetValue<string>() ?? rule["target"]?["fieldId"]?.GetValue<string>();
            if (effective is null || !exists(effective))
            {
                continue;
            }

            var copy = (JsonObject)rule.DeepClone();
            copy.Remove("tileTargets");
            copy["target"] = new JsonObject { ["fieldId"] = effective };
            applied.Add(JsonSerializer.SerializeToElement(copy));
            rules.Add(copy);
        }

        return (rules, applied);
    }

    private static DashboardResults ToResults(DashboardStore.Dashboard dashboard) => new()
    {
        DashboardUuid = dashboard.DashboardUuid,
        Name = dashboard.Name,
        Description = dashboard.Description,
        Filters = JsonDocument.Parse(dashboard.FiltersJson).RootElement.Clone(),
        Tiles = dashboard.Tiles.Select(t => new DashboardTileResults { TileUuid = t.TileUuid, SavedChartUuid = t.SavedChartUuid, SavedSqlUuid = t.SavedSqlUuid }).ToList(),
    };
}
