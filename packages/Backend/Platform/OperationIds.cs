using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Every operation's <c>operationId</c> in the OpenAPI document, so that generated clients get methods
/// named for what they do (not <c>QueryGETAsync</c>). Where the route is Lightdash's, the id is
/// Lightdash's own (its v2 query controller's <c>executeAsyncMetricQuery</c>, <c>getAsyncQueryResults</c>…);
/// elsewhere a verb and noun in the same style. A route without an id fails the document's generation.
/// </summary>
public static class OperationIds
{
    private static readonly Dictionary<string, string> Ids = new(StringComparer.Ordinal)
    {
        // Lightdash's v2 query routes, with Lightdash's ids.
        ["Query.GetResults"] = "getAsyncQueryResults",
        ["Query.Cancel"] = "cancelAsyncQuery",
        ["ExploreQuery.ExecuteMetricQuery"] = "executeAsyncMetricQuery",
        ["ContentQuery.ExecuteChart"] = "executeAsyncSavedChartQuery",
        ["ContentQuery.ExecuteDashboardChart"] = "executeAsyncDashboardChartQuery",
        ["ExploreQuery.ExecuteUnderlyingData"] = "executeAsyncUnderlyingDataQuery",
        ["Query.ExecuteSql"] = "executeAsyncSqlQuery",
        ["ContentQuery.ExecuteSqlChart"] = "executeAsyncSqlChartQuery",
        ["ContentQuery.ExecuteDashboardSqlChart"] = "executeAsyncDashboardSqlChartQuery",
        ["ExploreQuery.CalculateTotal"] = "executeAsyncCalculateTotal",
        ["ExploreQuery.CalculateSubtotals"] = "executeAsyncCalculateSubtotals",
        ["ExploreQuery.MergeQuery"] = "executeAsyncMergeQuery",
        ["ExploreQuery.FieldValues"] = "searchFieldValues",
        ["Query.ComposeSql"] = "executeAsyncComposeSql",
        ["Query.View"] = "executeAsyncResultView",
        ["Query.Delete"] = "deleteAsyncQuery",
        ["Query.ExecuteBatch"] = "executeAsyncBatch",
        ["Query.GetBatch"] = "getAsyncBatchResults",
        ["Query.GetAllResults"] = "streamAsyncQueryResults",
        ["Query.Download"] = "downloadAsyncQueryResults",
        ["Query.GetChunks"] = "getAsyncQueryResultChunks",
        ["QueryExport.ScheduleDownload"] = "scheduleAsyncQueryDownload",
        ["Query.History"] = "getQueryHistory",
        ["Query.GetCallback"] = "getAsyncQueryCallback",
        ["Usage.GetUsage"] = "getOrganizationUsage",
        ["SchedulerJobs.Status"] = "getSchedulerJobStatus",
        ["SchedulerJobs.Cancel"] = "cancelSchedulerJob",
        ["Schedulers.List"] = "listSchedulers",
        ["Schedulers.Create"] = "createScheduler",
        ["Schedulers.Get"] = "getScheduler",
        ["Schedulers.Update"] = "updateScheduler",
        ["Schedulers.Delete"] = "deleteScheduler",
        ["Schedulers.SetEnabled"] = "setSchedulerEnabled",
        ["Schedulers.RunNow"] = "runSchedulerNow",
        ["Schedulers.Logs"] = "getSchedulerLogs",
        ["Statements.Submit"] = "submitStatement",
        ["Statements.Get"] = "getStatement",
        ["Statements.Cancel"] = "cancelStatement",
        ["StatementSessions.Open"] = "openStatementSession",
        ["StatementSessions.Get"] = "getStatementSession",
        ["StatementSessions.Close"] = "closeStatementSession",
        ["Dashboards.List"] = "listDashboards",
        ["Dashboards.Create"] = "createDashboard",
        ["Dashboards.Get"] = "getDashboard",
        ["Dashboards.Replace"] = "updateDashboard",
        ["Dashboards.Delete"] = "deleteDashboard",
        ["SavedCharts.List"] = "listSavedCharts",
        ["SavedCharts.Create"] = "createSavedChart",
        ["SavedCharts.Get"] = "getSavedChart",
        ["SavedCharts.Rename"] = "updateSavedChart",
        ["SavedCharts.AddVersion"] = "createSavedChartVersion",
        ["SavedCharts.Delete"] = "deleteSavedChart",
        ["SqlCharts.List"] = "listSqlCharts",
        ["SqlCharts.Create"] = "createSqlChart",
        ["SqlCharts.Get"] = "getSqlChart",
        ["SqlCharts.Update"] = "updateSqlChart",
        ["SqlCharts.Delete"] = "deleteSqlChart",
        ["Explores.List"] = "getExplores",
        ["Explores.Get"] = "getExplore",
        ["Explores.Refresh"] = "refreshExplores",
        ["Models.Deploy"] = "deployModels",
        ["Models.Undeploy"] = "deleteDeployedModels",
        ["Models.List"] = "listModelVersions",
        ["Models.Files"] = "getModelVersionFiles",
        ["Parameters.List"] = "getParameters",
        ["Projects.List"] = "listProjects",
        ["Projects.Create"] = "createProject",
        ["Projects.Get"] = "getProject",
        ["Projects.Update"] = "updateProject",
        ["Projects.Delete"] = "deleteProject",
        ["Projects.ListMembers"] = "getProjectAccessList",
        ["Projects.SetRole"] = "updateProjectAccessForUser",
        ["Projects.RemoveMember"] = "revokeProjectAccessForUser",
        ["UserCredentials.Get"] = "getUserWarehouseCredentials",
        ["UserCredentials.Save"] = "saveUserWarehouseCredentials",
        ["UserCredentials.Delete"] = "deleteUserWarehouseCredentials",
        ["UserAttributes.List"] = "getUserAttributes",
        ["UserAttributes.Create"] = "createUserAttribute",
        ["UserAttributes.Update"] = "updateUserAttribute",
        ["UserAttributes.Delete"] = "deleteUserAttribute",
        ["User.GetMe"] = "getAuthenticatedUser",
        ["User.ListTokens"] = "listPersonalAccessTokens",
        ["User.CreateToken"] = "createPersonalAccessToken",
        ["User.RevokeToken"] = "deletePersonalAccessToken",
        ["Users.List"] = "listOrganizationUsers",
        ["Users.Create"] = "createOrganizationUser",
    };

    /// <summary>The operation's id; throws for a route that has none, so that no route ships without one.</summary>
    public static string Of(ApiDescription description) =>
        description.ActionDescriptor is ControllerActionDescriptor action && Ids.TryGetValue($"{action.ControllerName}.{action.ActionName}", out var id)
            ? id
            : throw new InvalidOperationException(
                $"{description.HttpMethod} {description.RelativePath} has no operationId: add it to {nameof(OperationIds)}.");
}
