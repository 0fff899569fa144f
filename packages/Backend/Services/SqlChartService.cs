using System.Text;
using System.Text.RegularExpressions;
using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Models;

namespace Lightdash.Net.Backend.Services;

/// <summary>Saved SQL charts: developers save SQL, every member runs it through the same path as any query.</summary>
public sealed partial class SqlChartService(ProjectAccess access, SavedSqlModel charts, AsyncQueryService queries)
{
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
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var (name, sql) = Validate(request);
        var slug = string.IsNullOrWhiteSpace(request.Slug) ? Slugify(name) : request.Slug.Trim();
        if (!SlugPattern().IsMatch(slug))
        {
            throw new ValidationException($"slug \"{slug}\" must be 1 to 100 lower-case letters, digits and dashes.");
        }

        var chart = new SavedSqlModel.SavedSql(Guid.NewGuid(), projectUuid, name, slug, request.Description, sql, request.Limit, default, default);
        return ToResults(await charts.CreateAsync(chart, user.UserUuid, cancellationToken));
    }

    /// <summary>Changes a chart (developers).</summary>
    public async Task<SqlChartResults> UpdateAsync(CurrentUser user, Guid projectUuid, Guid savedSqlUuid, SaveSqlChartRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var (name, sql) = Validate(request);
        var current = await charts.GetAsync(projectUuid, savedSqlUuid, null, cancellationToken);
        return ToResults(await charts.UpdateAsync(current with { Name = name, Description = request.Description, Sql = sql, RowLimit = request.Limit }, cancellationToken));
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
        queries.ValidateWait(request.WaitMs);
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        if (request.SavedSqlUuid is null && string.IsNullOrWhiteSpace(request.Slug))
        {
            throw new ValidationException("savedSqlUuid or slug is required.");
        }

        var chart = await charts.GetAsync(projectUuid, request.SavedSqlUuid, request.Slug, cancellationToken);
        if (request.Limit is < 1)
        {
            throw new ValidationException($"limit must be 1 or more (got {request.Limit}).");
        }

        var limit = request.Limit is { } asked && chart.RowLimit is { } saved ? Math.Min(asked, saved) : request.Limit ?? chart.RowLimit;
        var submitted = await queries.SubmitCompiledAsync(
            user, project, new CompiledSubmission(chart.Sql, limit, request.Context ?? "sqlChartView", request.InvalidateCache == true), cancellationToken);
        return new ExecuteQueryResults
        {
            QueryUuid = submitted.QueryUuid,
            CacheMetadata = submitted.CacheMetadata,
            FirstPage = await queries.FirstPageAfterWaitAsync(user, projectUuid, submitted.QueryUuid, request.WaitMs, cancellationToken),
        };
    }

    private Task<SavedSqlModel.SavedSql> FindAsync(Guid projectUuid, string uuidOrSlug, CancellationToken cancellationToken) =>
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

    private static SqlChartResults ToResults(SavedSqlModel.SavedSql chart) => new()
    {
        SavedSqlUuid = chart.SavedSqlUuid,
        Name = chart.Name,
        Slug = chart.Slug,
        Description = chart.Description,
        Sql = chart.Sql,
        Limit = chart.RowLimit,
        UpdatedAt = QueryTimings.Utc(chart.UpdatedAt),
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("-{2,}")]
    private static partial Regex DashesPattern();
}
