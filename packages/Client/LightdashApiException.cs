using System.Net;
using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>The server answered with its error envelope (<c>{"status":"error","error":{...}}</c>), or with no envelope at all.</summary>
public class LightdashApiException : Exception
{
    /// <summary>Creates the exception from the envelope's parts.</summary>
    public LightdashApiException(HttpStatusCode statusCode, string name, string message, JsonElement? data = null, string? sqlState = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Name = name;
        ErrorData = data;
        SqlState = sqlState;
    }

    /// <summary>The HTTP status code (400, 403, 404, 409, 429, 503...).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The error's name in the envelope (<c>ParameterError</c>, <c>NotFoundError</c>, <c>ResultsStorageError</c>...).</summary>
    public string Name { get; }

    /// <summary>The envelope's <c>data</c>, when the server sent extra facts.</summary>
    public JsonElement? ErrorData { get; }

    /// <summary>The warehouse's SQLSTATE (five characters), when a warehouse error is behind this one.</summary>
    public string? SqlState { get; }
}

/// <summary>A query ended without results: it failed on the warehouse, was cancelled, or its results expired.</summary>
public sealed class QueryFailedException : LightdashApiException
{
    /// <summary>Creates the exception for a query that ended in <paramref name="status"/>.</summary>
    public QueryFailedException(Guid queryUuid, QueryStatus status, string message, string? sqlState)
        : base(HttpStatusCode.OK, status == QueryStatus.Error ? "QueryError" : status == QueryStatus.Cancelled ? "QueryCancelled" : "QueryExpired", message, null, sqlState)
    {
        QueryUuid = queryUuid;
        Status = status;
    }

    /// <summary>The query.</summary>
    public Guid QueryUuid { get; }

    /// <summary>How it ended: <see cref="QueryStatus.Error"/>, <see cref="QueryStatus.Cancelled"/> or <see cref="QueryStatus.Expired"/>.</summary>
    public QueryStatus Status { get; }
}
