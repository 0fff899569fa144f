using System.Text;
using System.Text.RegularExpressions;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Content;

/// <summary>Saved SQL charts: developers save SQL, every member runs it through the same path as any query.</summary>
public sealed partial class SqlChartService(
    ProjectAccess access,
    SavedSqlStore charts,
    AsyncQueryService queries,
    QueryHistoryStore history,
    QueryWaiter waiter,
    QueryVariablesService variablesService,
    Lightdash.Net.Warehouses.WarehouseClientFactory warehouses)
{
    // How long a dashboard request waits for a chart's columns still being learnt.
    private static readonly TimeSpan MaxColumnsWait = TimeSpan.FromSeconds(30);

    /// <summary>The project's charts (any member).</summary>
    public async Task<IReadOnlyList<SqlChartResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return (await charts.ListAsync(projectUuid, cancellationToken)).Select(ToResults).ToList();
    }

    /// <summary>One chart by id or slug (any member).</summary>
    public async Task<SqlChartResults> GetAsync(CurrentUser user, Guid projectUuid, string uuidOrSlug, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return ToResults(await FindAsync(projectUuid, uuidOrSlug, cancellationToken));
    }

    /// <summary>Saves a new chart (developers: it is SQL).</summary>
    public async Task<SqlChartResults> CreateAsync(CurrentUser user, Guid projectUuid, SaveSqlChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var (name, sql) = Validate(request);
        var slug = string.IsNullOrWhiteSpace(request.Slug) ? Slugify(name) : request.Slug.Trim();
        if (!SlugPattern().IsMatch(slug))
        {
            throw new ValidationException($"slug \"{slug}\" must be 1 to 100 lower-case letters, digits and dashes.");
        }

        var chart = new SavedSqlStore.SavedSql(Guid.NewGuid(), projectUuid, name, slug, request.Description, sql, request.Limit, default, default);
        var created = await charts.CreateAsync(chart, user.UserUuid, cancellationToken);
        await LearnColumnsAsync(user, project, created, cancellationToken);
        return ToResults(created);
    }

    /// <summary>Changes a chart (developers).</summary>
    public async Task<SqlChartResults> UpdateAsync(CurrentUser user, Guid projectUuid, Guid savedSqlUuid, SaveSqlChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var (name, sql) = Validate(request);
        var current = await charts.GetAsync(projectUuid, savedSqlUuid, null, cancellationToken);
        var updated = await charts.UpdateAsync(current with { Name = name, Description = request.Description, Sql = sql, RowLimit = request.Limit }, cancellationToken);
        if (updated.ColumnsJson is null)
        {
            await LearnColumnsAsync(user, project, updated, cancellationToken);
        }

        return ToResults(updated);
    }

    /// <summary>Deletes a chart (developers).</summary>
    public async Task DeleteAsync(CurrentUser user, Guid projectUuid, Guid savedSqlUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        await charts.DeleteAsync(projectUuid, savedSqlUuid, cancellationToken);
    }

    /// <summary>Runs a saved chart (any member: the SQL was saved by a developer).</summary>
    public async Task<ExecuteQueryResults> ExecuteAsync(CurrentUser user, Guid projectUuid, ExecuteSqlChartRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var chart = await GetByIdOrSlugAsync(projectUuid, request.SavedSqlUuid, request.Slug, cancellationToken);
        if (request.Limit is < 1)
        {
            throw new ValidationException($"limit must be 1 or more (got {request.Limit}).");
        }

        var limit = request.Limit is { } asked && chart.RowLimit is { } saved ? Math.Min(asked, saved) : request.Limit ?? chart.RowLimit;
        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        var sql = SqlVariables.Substitute(chart.Sql, variables, warehouses.GetClient(project.Warehouse).Dialect);
        return await queries.SubmitAndWaitAsync(
            user, project, new CompiledSubmission(
                sql, limit, request.Context ?? QueryContext.SqlChartView.ToName(), request.InvalidateCache == true,
                StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds), ParametersJson: parametersJson).For(request), request.WaitMs, cancellationToken);
    }

    /// <summary>
    /// The columns of the chart's SQL, from the stored result of the query that learns them (submitted,
    /// like any query, when the chart was saved); while it still runs, waits for it (up to 30 s). Never
    /// asks the warehouse itself.
    /// </summary>
    public async Task<IReadOnlyList<ResultColumn>> ColumnsAsync(CurrentUser user, Project project, SavedSqlStore.SavedSql chart, CancellationToken cancellationToken)
    {
        if (chart.ColumnsJson is { } known)
        {
            return ColumnsJson.Parse(known);
        }

        var queryUuid = chart.ColumnsQueryUuid is { } learning && await history.FindAsync(learning, cancellationToken) is not null
            ? learning
            : await LearnColumnsAsync(user, project, chart, cancellationToken);
        var query = await waiter.WaitForFinalStateAsync(queryUuid, MaxColumnsWait, cancellationToken)
            ?? throw new ConflictException($"The columns of SQL chart {chart.Slug} are not known: the query that learns them was deleted. Save the chart again.");
        if (query.ColumnsJson is { } columns)
        {
            await charts.SetColumnsAsync(chart.SavedSqlUuid, chart.Sql, columns, cancellationToken);
            return ColumnsJson.Parse(columns);
        }

        throw query.Status switch
        {
            QueryStatus.Error => new ConflictException($"The SQL of chart {chart.Slug} fails on the warehouse: {query.Error}"),
            _ when query.Status.IsActive() => new ConflictException($"The columns of SQL chart {chart.Slug} are still being learnt (query {queryUuid}); try again in a moment."),
            _ => new ConflictException($"The columns of SQL chart {chart.Slug} are not known (query {queryUuid} is {query.Status.ToName()}). Save the chart again."),
        };
    }

    // One row is enough to learn the columns; the query runs in the background like any other.
    private async Task<Guid> LearnColumnsAsync(CurrentUser user, Project project, SavedSqlStore.SavedSql chart, CancellationToken cancellationToken)
    {
        // Parameters take their defaults (or NULL): the columns do not depend on the values.
        var (variables, _) = await variablesService.ResolveAsync(user, project, null, cancellationToken);
        var sql = SqlVariables.Substitute(chart.Sql, variables with { UnsetParametersAsNull = true }, warehouses.GetClient(project.Warehouse).Dialect);
        var submitted = await queries.SubmitAndWaitAsync(user, project, new CompiledSubmission(sql, 1, QueryContext.SqlChartColumns.ToName(), false), null, cancellationToken);
        await charts.SetColumnsQueryAsync(chart.SavedSqlUuid, chart.Sql, submitted.QueryUuid, cancellationToken);
        return submitted.QueryUuid;
    }

    /// <summary>The chart named by its id or its slug (one is required: 400 otherwise; 404 when no such chart).</summary>
    public Task<SavedSqlStore.SavedSql> GetByIdOrSlugAsync(Guid projectUuid, Guid? savedSqlUuid, string? slug, CancellationToken cancellationToken) =>
        savedSqlUuid is null && string.IsNullOrWhiteSpace(slug)
            ? throw new ValidationException("savedSqlUuid or slug is required.")
            : charts.GetAsync(projectUuid, savedSqlUuid, slug, cancellationToken);

    private Task<SavedSqlStore.SavedSql> FindAsync(Guid projectUuid, string uuidOrSlug, CancellationToken cancellationToken) =>
        Guid.TryParse(uuidOrSlug, out var uuid)
            ? charts.GetAsync(projectUuid, uuid, null, cancellationToken)
            : charts.GetAsync(projectUuid, null, uuidOrSlug, cancellationToken);

    private (string Name, string Sql) Validate(SaveSqlChartRequest request)
    {
        var name = InputLimits.RequireName(request.Name);
        InputLimits.CheckDescription(request.Description);
        var sql = queries.ValidateSql(new ExecuteSqlQueryRequest { Sql = request.Sql, Limit = request.Limit });
        return (name, sql);
    }

    private static string Slugify(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var text = DashesPattern().Replace(slug.ToString(), "-").Trim('-');
        return text.Length == 0 ? "chart" : text[..Math.Min(text.Length, 100)];
    }

    private static SqlChartResults ToResults(SavedSqlStore.SavedSql chart) => new()
    {
        SavedSqlUuid = chart.SavedSqlUuid,
        Name = chart.Name,
        Slug = chart.Slug,
        Description = chart.Description,
        Sql = chart.Sql,
        Limit = chart.RowLimit,
        UpdatedAt = Timestamps.Utc(chart.UpdatedAt),
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("-{2,}")]
    private static partial Regex DashesPattern();
}
