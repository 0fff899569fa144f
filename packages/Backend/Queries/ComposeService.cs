using System.Text.Json;
using System.Text.RegularExpressions;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Common;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// SQL composed over stored results (Lightdash's compose-sql): each reference names a ready result of
/// the caller's, loaded as a table of an embedded DuckDB database when the query runs. It is a query
/// like any other: same history row, streaming, pages, cache (keyed by the SQL and the referenced
/// results), cancel and download.
/// </summary>
public sealed partial class ComposeService(ProjectAccess access, AsyncQueryService queries, QueryHistoryStore history, IResultsStore results, IQueryVariables variablesService)
{
    /// <summary>The most results one composed query reads.</summary>
    public const int MaxReferences = 10;

    private static readonly string DefaultContext = QueryContext.ComposeSql.ToName();

    /// <summary>Checks every reference before anything is queued, then submits (developers and admins: it is SQL).</summary>
    public async Task<ExecuteQueryResults> ExecuteAsync(CurrentUser user, Guid projectUuid, ComposeSqlRequest request, CancellationToken cancellationToken)
    {
        var sql = queries.ValidateSql(new ExecuteSqlQueryRequest
        {
            Sql = request.Sql, Limit = request.Limit, WaitMs = request.WaitMs, StatementTimeoutSeconds = request.StatementTimeoutSeconds, Context = request.Context,
        });
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        if (!results.HasFiles)
        {
            throw new ValidationException("Composing SQL over stored results needs results storage (S3); this backend re-runs queries for their pages instead.");
        }

        var references = request.References ?? new Dictionary<string, Guid>();
        if (references.Count is 0 or > MaxReferences)
        {
            throw new ValidationException($"references takes 1 to {MaxReferences} tables ({{\"tableName\": \"queryUuid\"}}), not {references.Count}.");
        }

        var stored = new Dictionary<string, ComposeDatabase.Reference>(StringComparer.Ordinal);
        foreach (var (table, queryUuid) in references.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!TableName().IsMatch(table))
            {
                throw new ValidationException($"Reference name \"{table}\" must be letters, digits and _ (a table name), at most 63 characters.");
            }

            var source = await ReadyResultAsync(user, projectUuid, queryUuid, $"Reference {table}", cancellationToken);
            stored[table] = new ComposeDatabase.Reference(queryUuid, source.ResultsFileName);
        }

        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        return await queries.SubmitAndWaitAsync(
            user,
            project,
            new CompiledSubmission(
                SqlVariables.Substitute(sql, variables, Warehouses.DuckDb.DuckDbSqlDialect.Instance),
                request.Limit,
                request.Context ?? DefaultContext,
                request.InvalidateCache == true,
                StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds),
                ParametersJson: parametersJson,
                ComposeReferencesJson: JsonSerializer.Serialize(stored, JsonSerializerOptions.Web)).For(request),
            request.WaitMs,
            cancellationToken);
    }

    /// <summary>
    /// A sorted and filtered view of one of the caller's ready results, stored as a result of its own
    /// (so that paging through it is a ranged read): SQL composed over the result, with the columns
    /// checked against the result's and every value a typed literal.
    /// </summary>
    public async Task<ExecuteQueryResults> ViewAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, ResultViewRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        if (!results.HasFiles)
        {
            throw new ValidationException("Views of stored results need results storage (S3).");
        }

        if (request.Limit is < 1)
        {
            throw new ValidationException($"limit must be 1 or more (got {request.Limit}).");
        }

        // The result is the route's own resource: one that is not the caller's is a 404, as on every query route.
        if (await history.FindAsync(queryUuid, cancellationToken) is not { } own || own.ProjectUuid != projectUuid || own.CreatedByUserUuid != user.UserUuid)
        {
            throw new NotFoundException($"Query {queryUuid} does not exist.");
        }

        var source = await ReadyResultAsync(user, projectUuid, queryUuid, "The view", cancellationToken);
        var sql = ResultViewSql.Build(ColumnsJson.Parse(source.ColumnsJson), request.Filters ?? [], request.Sorts ?? []);
        var references = new Dictionary<string, ComposeDatabase.Reference> { [ResultViewSql.Table] = new(queryUuid, source.ResultsFileName) };
        return await queries.SubmitAndWaitAsync(
            user,
            project,
            new CompiledSubmission(sql, request.Limit, QueryContext.ResultView.ToName(), false, ComposeReferencesJson: JsonSerializer.Serialize(references, JsonSerializerOptions.Web)).For(request),
            request.WaitMs,
            cancellationToken);
    }

    /// <summary>The caller's ready, unexpired, stored result in this project; a 400 saying why not otherwise.</summary>
    private async Task<QueryHistoryRecord> ReadyResultAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, string what, CancellationToken cancellationToken)
    {
        var source = await history.FindAsync(queryUuid, cancellationToken);
        var problem = source switch
        {
            null => "does not exist",
            _ when source.ProjectUuid != projectUuid || source.CreatedByUserUuid != user.UserUuid => "does not exist",
            _ when source.Status != QueryStatus.Ready => $"is {source.Status.ToName()}, not ready",
            _ when source.ResultsExpiresAt is { } expires && expires <= DateTime.UtcNow => "has expired",
            _ when source.ResultsFileName is null => "has no stored result",
            _ => null,
        };
        return problem is null
            ? source!
            : throw new ValidationException($"{what}: query {queryUuid} {problem}. Only your own ready results can be read this way.");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
