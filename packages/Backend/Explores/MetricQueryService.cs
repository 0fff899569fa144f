using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Explores;

/// <summary>Compiles metric queries over a project's explores and runs them through the same path as SQL (history, cache, pages, cancel).</summary>
public sealed class MetricQueryService(
    ProjectAccess access,
    ExploreRegistry explores,
    WarehouseClientFactory warehouses,
    AsyncQueryService queries,
    QueryVariablesService variablesService)
{
    private const int DefaultLimit = 500;
    private const int MaxLimit = 5000;
    private static readonly string DefaultContext = QueryContext.ExploreView.ToName();

    /// <summary>Compiles and submits the metric query (any member of the project).</summary>
    public async Task<ExecuteMetricQueryResults> ExecuteAsync(CurrentUser user, Guid projectUuid, ExecuteMetricQueryRequest request, CancellationToken cancellationToken)
    {
        var body = request.Query ?? throw new ValidationException("query is required: the metric query to run.");
        // Table calculations are SQL run on the warehouse: like raw SQL, they need the developer role.
        var needed = body.TableCalculations is { Count: > 0 } ? ProjectRole.Developer : ProjectRole.Viewer;
        var project = await access.RequireAsync(user, projectUuid, needed, cancellationToken);
        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        return await SubmitAsync(user, project, body, request, variables, parametersJson, cancellationToken);
    }

    // Access checked and variables resolved: compiles and submits.
    private async Task<ExecuteMetricQueryResults> SubmitAsync(
        CurrentUser user, Project project, MetricQueryBody body, ExecuteMetricQueryRequest request, QueryVariables variables, string? parametersJson,
        CancellationToken cancellationToken)
    {
        var compiled = await CompileAsync(project, body, variables, cancellationToken);

        var fields = FieldsOf(compiled.Fields);
        var submitted = await queries.SubmitAndWaitAsync(
            user,
            project,
            new CompiledSubmission(
                compiled.Sql,
                null,
                request.Context ?? DefaultContext,
                request.InvalidateCache == true,
                JsonSerializer.Serialize(body, JsonSerializerOptions.Web),
                JsonSerializer.Serialize(fields, JsonSerializerOptions.Web),
                StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds),
                Timezone: body.Timezone,
                ParametersJson: parametersJson).For(request),
            request.WaitMs,
            cancellationToken);
        return new ExecuteMetricQueryResults
        {
            QueryUuid = submitted.QueryUuid,
            CacheMetadata = submitted.CacheMetadata,
            MetricQuery = body,
            Fields = fields,
            FirstPage = submitted.FirstPage,
        };
    }

    /// <summary>How the result columns of compiled fields are described to clients (and stored in the history row).</summary>
    public static Dictionary<string, ResultFieldResults> FieldsOf(IEnumerable<ExploreField> fields) => fields.ToDictionary(
        f => f.Id,
        f => new ResultFieldResults
        {
            Label = f.Label,
            Type = f.Type,
            FieldType = f.Kind == FieldKind.Dimension ? "dimension" : "metric",
            Table = f.Table,
            Format = f.Format,
            Round = f.Round,
        },
        StringComparer.Ordinal);

    /// <summary>
    /// Compiles a metric query over the project's explores for a caller (their parameters and
    /// attributes); a 400 naming what is wrong, a 403 naming what their attributes do not allow.
    /// </summary>
    public async Task<CompiledMetricQuery> CompileAsync(Project project, MetricQueryBody body, QueryVariables variables, CancellationToken cancellationToken)
    {
        var metricQuery = ToMetricQuery(body);
        var catalog = await explores.GetAsync(project.ProjectUuid, cancellationToken);
        if (!catalog.Explores.TryGetValue(metricQuery.ExploreName, out var explore))
        {
            throw new ValidationException(MissingExplore.Message(catalog, metricQuery.ExploreName, project.ProjectUuid));
        }

        try
        {
            return new MetricQueryCompiler(warehouses.GetClient(project.Warehouse).Dialect).Compile(explore, metricQuery, variables);
        }
        catch (MetricQueryException e)
        {
            throw new ValidationException(e.Message);
        }
    }

    /// <summary>
    /// The rows behind a value of an earlier metric query: every visible dimension of its explore,
    /// under the earlier query's dimension filters and the given ones (the clicked row's values).
    /// </summary>
    public async Task<ExecuteMetricQueryResults> ExecuteUnderlyingDataAsync(CurrentUser user, Guid projectUuid, ExecuteUnderlyingDataRequest request, CancellationToken cancellationToken)
    {
        var sourceUuid = request.UnderlyingDataSourceQueryUuid ?? throw new ValidationException("underlyingDataSourceQueryUuid is required.");
        var source = await queries.GetOwnQueryAsync(user, projectUuid, sourceUuid, cancellationToken);
        var sourceQuery = source.MetricQueryJson is { } json ? JsonSerializer.Deserialize<MetricQueryBody>(json, JsonSerializerOptions.Web) : null;
        if (sourceQuery?.ExploreName is not { } exploreName || !(await explores.GetAsync(projectUuid, cancellationToken)).Explores.TryGetValue(exploreName, out var explore))
        {
            throw new ValidationException($"Query {sourceUuid} is not a metric query of an explore of this project; underlying data needs one.");
        }

        if (request.UnderlyingDataItemId is { } itemId
            && !(sourceQuery.Dimensions ?? []).Concat(sourceQuery.Metrics ?? []).Contains(itemId, StringComparer.Ordinal))
        {
            throw new ValidationException($"underlyingDataItemId {itemId} is not a field of query {sourceUuid}; give one of its dimensions or metrics.");
        }

        // The earlier query's parameters unless the request sets its own; only the dimensions the caller
        // may see (underlying data never shows a restricted field) and that have every parameter they use.
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var parameters = request.Parameters
            ?? (source.ParametersJson is { } recorded ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(recorded) : null);
        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, parameters, cancellationToken);
        var dimensions = explore.Fields.Values
            .Where(f => f.Kind == FieldKind.Dimension && !f.Hidden && f.TimeInterval is null && AttributeRequirement.AllowAll(f.Access, variables.User))
            .Where(f => SqlVariables.ParameterReferences(f.Sql).All(variables.Parameters.ContainsKey))
            .Select(f => f.Id)
            .ToList();
        var (sourceFilters, _) = FilterParser.Parse(sourceQuery.Filters);
        var (clicked, _) = FilterParser.Parse(request.Filters, "filters");
        var combined = new[] { sourceFilters, clicked }.OfType<FilterGroup>().ToList();
        var filters = new Dictionary<string, object?>
        {
            ["dimensions"] = combined.Count == 0 ? null : ToJson(new FilterGroup("and", combined)),
        };
        var body = new MetricQueryBody
        {
            ExploreName = exploreName,
            Dimensions = dimensions,
            Metrics = [],
            Filters = JsonSerializer.SerializeToElement(filters, JsonSerializerOptions.Web),
            Sorts = request.Sorts,
            Limit = request.Limit ?? DefaultLimit,
            Timezone = sourceQuery.Timezone,
        };
        // The variables resolved above serve the submission too (no table calculations: viewers may run it).
        return await SubmitAsync(
            user,
            project,
            body,
            new ExecuteMetricQueryRequest
            {
                Query = body, Context = request.Context ?? QueryContext.ViewUnderlyingData.ToName(), WaitMs = request.WaitMs, Parameters = parameters, StatementTimeoutSeconds = request.StatementTimeoutSeconds,
                Priority = request.Priority, Callback = request.Callback,
            },
            variables,
            parametersJson,
            cancellationToken);
    }

    /// <summary>A filter tree in Lightdash's JSON shape.</summary>
    private static object ToJson(FilterNode node) => node switch
    {
        FilterGroup group => new Dictionary<string, object?> { [group.Combinator] = group.Items.Select(ToJson).ToList() },
        FilterRule rule => new Dictionary<string, object?>
        {
            ["target"] = new { fieldId = rule.FieldId },
            ["operator"] = rule.Operator,
            ["values"] = rule.Values.Select(v => v.IsString ? (object)v.Text : JsonSerializer.Deserialize<JsonElement>(v.Text)).ToList(),
            ["settings"] = rule.UnitOfTime is null ? null : new { unitOfTime = rule.UnitOfTime, completed = rule.Completed },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private static MetricQuery ToMetricQuery(MetricQueryBody body)
    {
        if (string.IsNullOrWhiteSpace(body.ExploreName))
        {
            throw new ValidationException("query.exploreName is required.");
        }

        var limit = body.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw new ValidationException($"query.limit must be between 1 and {MaxLimit} (got {limit}).");
        }

        if ((body.Dimensions?.Count ?? 0) + (body.Metrics?.Count ?? 0) > InputLimits.MaxFields)
        {
            throw new ValidationException($"query selects {(body.Dimensions?.Count ?? 0) + (body.Metrics?.Count ?? 0)} fields; at most {InputLimits.MaxFields} dimensions and metrics together are accepted.");
        }

        InputLimits.CheckCount(body.Sorts, "query.sorts", InputLimits.MaxSorts);
        InputLimits.CheckCount(body.TableCalculations, "query.tableCalculations", InputLimits.MaxTableCalculations);
        if (body.TableCalculations?.FirstOrDefault(c => c.Sql?.Length > InputLimits.MaxTableCalculationSqlLength) is { } longCalculation)
        {
            throw new ValidationException($"query.tableCalculations: {longCalculation.Name} has more than {InputLimits.MaxTableCalculationSqlLength} characters of SQL.");
        }

        InputLimits.CheckTimezone(body.Timezone, "query.timezone");
        var (dimensionFilters, metricFilters) = FilterParser.Parse(body.Filters, "query.filters");
        return new MetricQuery(
            body.ExploreName,
            body.Dimensions ?? [],
            body.Metrics ?? [],
            dimensionFilters,
            metricFilters,
            (body.Sorts ?? []).Select(s => new SortField(s.FieldId ?? throw new ValidationException("query.sorts: each sort needs a fieldId."), s.Descending)).ToList(),
            limit,
            body.Timezone,
            (body.TableCalculations ?? []).Select(c => new TableCalculation(
                c.Name ?? throw new ValidationException("query.tableCalculations: each needs a name."),
                c.DisplayName ?? c.Name,
                string.IsNullOrWhiteSpace(c.Sql) ? throw new ValidationException($"query.tableCalculations: {c.Name} needs sql.") : c.Sql)).ToList());
    }
}
