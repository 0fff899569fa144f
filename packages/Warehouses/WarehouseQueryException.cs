namespace Lightdash.Net.Warehouses;

/// <summary>The warehouse refused or failed a query; the message is safe to show the user who ran it.</summary>
public sealed class WarehouseQueryException : Exception
{
    /// <summary>Creates the exception with the warehouse's message.</summary>
    public WarehouseQueryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }


    private WarehouseQueryException(string message, string detail, Exception? innerException)
        : base(message, innerException)
    {
        ConnectionFailureDetail = detail;
    }

    /// <summary>
    /// For a failed connection, what went wrong (host unreachable, login refused, no such database).
    /// It tells where things are, so only those who may set connection strings see it; the
    /// <see cref="Exception.Message"/> says only that the connection failed.
    /// </summary>
    public string? ConnectionFailureDetail { get; }

    /// <summary>The warehouse's SQLSTATE of the error (five characters), when it gives one.</summary>
    public string? SqlState { get; init; }

    /// <summary>The connection to the warehouse could not be made.</summary>
    public static WarehouseQueryException ConnectionFailed(string detail, Exception? innerException = null) =>
        new("Could not connect to the warehouse.", detail, innerException);

    /// <summary>The statement ran past its time limit and the warehouse stopped it.</summary>
    public static WarehouseQueryException TimedOut(TimeSpan limit, Exception? innerException = null) =>
        new($"The query ran longer than its time limit of {WarehouseTimeouts.Describe(limit)} and was stopped by the warehouse.", innerException)
        {
            SqlState = QueryCanceledState,
        };

    /// <summary>The SQLSTATE of a statement stopped by its time limit or a cancel.</summary>
    public const string QueryCanceledState = "57014";
}
