using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Backend.ResultsStorage;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>Hands the results store what it needs of a history row, and nothing of the history table.</summary>
public static class HistoryResultSources
{
    /// <summary>The stored (or re-fetchable) rows of <paramref name="query"/>.</summary>
    public static ResultSource Of(QueryHistoryRecord query) => Of(query, ColumnsJson.Parse(query.ColumnsJson));

    /// <summary>The same, with its columns already parsed (a page read needs them too: parsed once).</summary>
    public static ResultSource Of(QueryHistoryRecord query, IReadOnlyList<Common.ResultColumn> columns) => new(
        query.QueryUuid,
        query.ProjectUuid,
        query.CompiledSql,
        query.RowLimit,
        query.ResultsFileName,
        query.ResultsIndexBlockRows,
        query.TotalRowCount,
        columns,
        Warehouses.BindingValues.FromJson(query.BindingsJson),
        query.CreatedByUserUuid);
}
