using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Filter autocomplete: the distinct values of an explore's dimension, optionally containing a search
/// text, under the explore's row filter, the caller's attributes and the request's other filters.
/// Compiled like a metric query of that one dimension (<c>GROUP BY</c> with a limit) and read straight
/// from the warehouse; answers are kept per project and compiled SQL for a few minutes.
/// </summary>
public sealed class FieldValuesService(
    ProjectAccess access,
    ExploreRegistry explores,
    WarehouseClientFactory warehouses,
    QueryVariablesService variablesService,
    WarehouseLogins logins,
    TimeProvider clock)
{
    /// <summary>How long values are kept.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const int DefaultLimit = 100;
    private const int MaxLimit = 5000;
    private const int MaxSearchLength = 256;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(60);

    private const int CacheCapacity = 10_000;

    private readonly ExpiringCache<IReadOnlyList<JsonElement>> _cache = new(Lifetime, CacheCapacity, clock);

    /// <summary>The values (any member); 400 for an unknown explore or field, or a metric; 403 when the caller may not see the field.</summary>
    public async Task<FieldValuesResults> SearchAsync(CurrentUser user, Guid projectUuid, FieldValuesRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var limit = request.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw new ValidationException($"limit must be 1 to {MaxLimit} (got {limit}).");
        }

        var search = request.Search ?? "";
        if (search.Length > MaxSearchLength)
        {
            throw new ValidationException($"search is {search.Length} characters long; at most {MaxSearchLength} are accepted.");
        }

        var catalog = await explores.GetAsync(projectUuid, cancellationToken);
        var exploreName = request.Table ?? throw new ValidationException("table is required: the explore of the field.");
        var explore = catalog.Explores.GetValueOrDefault(exploreName) ?? throw new ValidationException(MissingExplore.Message(catalog, exploreName, projectUuid));
        var fieldId = request.FieldId ?? throw new ValidationException("fieldId is required.");
        if (!explore.Fields.TryGetValue(fieldId, out var field) || field.Kind != FieldKind.Dimension)
        {
            throw new ValidationException($"Field {fieldId} is not a dimension of explore {exploreName}.");
        }

        var rules = FilterRulesOf(request, field, search);
        var (variables, _) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        var client = warehouses.GetClient(await logins.ForRequestAsync(project, user.UserUuid, cancellationToken));
        var query = new MetricQuery(exploreName, [fieldId], [], rules.Count == 0 ? null : new FilterGroup("and", rules), null, [new SortField(fieldId, false)], limit);
        var sql = new MetricQueryCompiler(client.Dialect).Compile(explore, query, variables).Sql;
        // Another login may see other values: where logins are per user, so is the cache.
        var key = $"{projectUuid:N}\n{WarehouseLogins.LoginOwner(project, user.UserUuid)}\n{sql}";
        if (request.ForceRefresh != true && _cache.TryGet(key, out var cached, out var readAt))
        {
            return new FieldValuesResults { Search = search, Results = cached, RefreshedAt = readAt, Cached = true };
        }

        var values = await WarehouseValues.ReadFirstColumnAsync(
            client, sql, QueryTimeout, WarehouseValues.TagFor(user.UserUuid, project.ProjectUuid, QueryContext.FieldValues), cancellationToken);
        return new FieldValuesResults { Search = search, Results = values, RefreshedAt = _cache.Set(key, values), Cached = false };
    }

    /// <summary>The request's dimension filters and the search (a text field's values containing it), as filter rules.</summary>
    private static List<FilterNode> FilterRulesOf(FieldValuesRequest request, ExploreField field, string search)
    {
        var fieldId = field.Id;
        var (dimensionFilters, metricFilters) = FilterParser.Parse(request.Filters);
        if (metricFilters is not null)
        {
            throw new ValidationException("filters of field values apply to dimensions only.");
        }

        var rules = new List<FilterNode>();
        if (dimensionFilters is not null)
        {
            rules.Add(dimensionFilters);
        }

        if (search.Length > 0)
        {
            if (field.Type != "string")
            {
                throw new ValidationException($"search applies to text; {fieldId} is a {field.Type}.");
            }

            rules.Add(new FilterRule(fieldId, "include", [new FilterValue(search, true)]));
        }

        return rules;
    }
}
