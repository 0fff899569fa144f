using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Totals and subtotals of an earlier metric query, computed by the warehouse from the same query with
/// fewer dimensions (so that the total of a count_distinct or an average is right, not a sum of its
/// column): the same explore, dimension filters, parameters and caller; table calculations and
/// post-calculation metrics have no total. Read straight from the warehouse, like Lightdash's.
/// </summary>
public sealed class TotalsService(
    ProjectAccess access,
    AsyncQueryService queries,
    MetricQueryService metricQueries,
    ExploreRegistry explores,
    QueryVariablesService variablesService,
    WarehouseClientFactory warehouses,
    WarehouseLogins logins)
{
    private const int MaxGroups = 10;
    private const int MaxSubtotalRows = 5000;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Each metric's total (by field id); null values where the metric has none.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> TotalAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var rows = await RunAsync(user, projectUuid, queryUuid, [], 1, cancellationToken);
        return rows.Count == 0
            ? new Dictionary<string, JsonElement>()
            : rows[0].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    /// <summary>Subtotals for each group of the query's dimensions.</summary>
    public async Task<SubtotalsResults> SubtotalsAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CalculateSubtotalsRequest request, CancellationToken cancellationToken)
    {
        var groups = request.DimensionGroups ?? [];
        if (groups.Count is 0 or > MaxGroups)
        {
            throw new ValidationException($"dimensionGroups takes 1 to {MaxGroups} groups of the query's dimensions, not {groups.Count}.");
        }

        var subtotals = new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (group is null || group.Count == 0)
            {
                throw new ValidationException("Each dimension group names at least one of the query's dimensions.");
            }

            var rows = await RunAsync(user, projectUuid, queryUuid, group, MaxSubtotalRows, cancellationToken);
            subtotals[string.Join(",", group)] = rows;
        }

        return new SubtotalsResults { Subtotals = subtotals };
    }

    private async Task<IReadOnlyList<JsonElement>> RunAsync(
        CurrentUser user, Guid projectUuid, Guid queryUuid, IReadOnlyList<string> dimensions, int maxRows, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var source = await queries.GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        var body = source.MetricQueryJson is { } json ? JsonSerializer.Deserialize<MetricQueryBody>(json, JsonSerializerOptions.Web) : null;
        if (body?.ExploreName is not { } exploreName || !(await explores.GetAsync(projectUuid, cancellationToken)).Explores.TryGetValue(exploreName, out var explore))
        {
            throw new ValidationException($"Query {queryUuid} is not a metric query of an explore of this project; totals need one.");
        }

        if (dimensions.FirstOrDefault(d => !(body.Dimensions ?? []).Contains(d, StringComparer.Ordinal)) is { } stranger)
        {
            throw new ValidationException($"{stranger} is not a dimension of query {queryUuid}.");
        }

        var metrics = (body.Metrics ?? []).Where(m => explore.Fields.TryGetValue(m, out var field) && !field.IsPostCalculation).ToList();
        if (metrics.Count == 0)
        {
            throw new ValidationException($"Query {queryUuid} has no metric with a total.");
        }

        // Dimension filters stay (they choose the rows); metric filters chose groups, which a total has not.
        var filters = body.Filters is { ValueKind: JsonValueKind.Object } given && given.TryGetProperty("dimensions", out var dimensionFilters)
            ? JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement> { ["dimensions"] = dimensionFilters })
            : (JsonElement?)null;
        var totalBody = body with
        {
            Dimensions = dimensions,
            Metrics = metrics,
            Filters = filters,
            Sorts = dimensions.Count > 0 ? dimensions.Select(d => new SortBody { FieldId = d }).ToList() : [],
            TableCalculations = null,
            Limit = maxRows,
        };
        var parameters = source.ParametersJson is { } recorded ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(recorded) : null;
        var (variables, _) = await variablesService.ResolveAsync(user, project, parameters, cancellationToken);
        var compiled = await metricQueries.CompileAsync(project, totalBody, variables, cancellationToken);
        var connection = await logins.ForRequestAsync(project, user.UserUuid, cancellationToken);
        return await WarehouseValues.ReadRowsAsync(
            warehouses.GetClient(connection), compiled.Sql, QueryTimeout, maxRows, WarehouseValues.TagFor(user.UserUuid, project.ProjectUuid, QueryContext.CalculateTotal), cancellationToken);
    }
}
