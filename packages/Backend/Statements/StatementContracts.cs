using System.Text.Json.Serialization;

namespace Lightdash.Net.Backend.Statements;

/// <summary>A statement to run (Snowflake SQL API's request body).</summary>
public sealed class SubmitStatementRequest
{
    /// <summary>One SQL statement. Bind variables are written <c>?</c> (numbered in order) or <c>:1</c>, <c>:2</c>...</summary>
    public string? Statement { get; init; }

    /// <summary>The statement's time limit in seconds (it only lowers the project's; 0 or absent: the project's).</summary>
    public long? Timeout { get; init; }

    /// <summary>The project to run on, by its uuid or name (or send the <c>X-Lightdash-Project</c> header).</summary>
    public string? Database { get; init; }

    /// <summary>Accepted for compatibility; the project's connection decides the schema.</summary>
    public string? Schema { get; init; }

    /// <summary>Accepted for compatibility; the project's connection decides where queries run.</summary>
    public string? Warehouse { get; init; }

    /// <summary>Accepted for compatibility; what the caller may do comes from their role in the project.</summary>
    public string? Role { get; init; }

    /// <summary>Values for the bind variables, by position (<c>{"1": {"type": "FIXED", "value": "3"}}</c>); bound beside the SQL, never spliced into it.</summary>
    public Dictionary<string, StatementBinding>? Bindings { get; init; }

    /// <summary>
    /// Statement parameters: <c>query_tag</c> (recorded as the query's context), <c>rows_per_resultset</c>
    /// (the most rows the result keeps), <c>multi_statement_count</c> (1 only), <c>timezone</c> (<c>UTC</c> only).
    /// Any other name is refused.
    /// </summary>
    public Dictionary<string, System.Text.Json.JsonElement>? Parameters { get; init; }

    /// <summary>How long the handle and its results live, in seconds (default one hour, at most a day; see <c>Statements</c> settings). An extension of this backend.</summary>
    public long? Ttl { get; init; }
}

/// <summary>One bind variable's value.</summary>
public sealed class StatementBinding
{
    /// <summary><c>FIXED</c>, <c>REAL</c>, <c>TEXT</c>, <c>BOOLEAN</c>, <c>DATE</c>, <c>TIME</c>, <c>TIMESTAMP_NTZ</c>, <c>TIMESTAMP_LTZ</c> or <c>TIMESTAMP_TZ</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The value as text (dates <c>YYYY-MM-DD</c>, timestamps ISO 8601 or nanoseconds since the epoch); null for SQL NULL.</summary>
    public string? Value { get; init; }
}

/// <summary>The status of a statement that has not finished (202), or of a cancel.</summary>
public sealed class StatementStatus
{
    /// <summary><c>333334</c> while it runs; <c>000604</c> once cancelled.</summary>
    public required string Code { get; init; }

    /// <summary>The SQL state: <c>00000</c>, or <c>57014</c> for a cancelled statement.</summary>
    public string SqlState { get; init; } = "00000";

    /// <summary>What is happening.</summary>
    public required string Message { get; init; }

    /// <summary>The statement's handle.</summary>
    public required Guid StatementHandle { get; init; }

    /// <summary>When it was submitted, in milliseconds since the epoch.</summary>
    public long CreatedOn { get; init; }

    /// <summary>Where to ask for its status and results.</summary>
    public required string StatementStatusUrl { get; init; }

    /// <summary>The session it belongs to, or absent.</summary>
    public Guid? SessionId { get; init; }
}

/// <summary>A statement that failed (422): the warehouse's error, or a cancel.</summary>
public sealed class StatementFailure
{
    /// <summary>Snowflake's error code: <c>000604</c> cancelled, <c>000630</c> time limit reached, <c>001003</c> syntax error, <c>002003</c> unknown object, <c>100000</c> any other error.</summary>
    public required string Code { get; init; }

    /// <summary>The warehouse's SQLSTATE (PostgreSQL's own, for example <c>42P01</c>); <c>57014</c> cancelled or timed out; read from the message when the warehouse gives none.</summary>
    public required string SqlState { get; init; }

    /// <summary>The warehouse's message.</summary>
    public required string Message { get; init; }

    /// <summary>The statement's handle.</summary>
    public required Guid StatementHandle { get; init; }

    /// <summary>When it was submitted, in milliseconds since the epoch.</summary>
    public long CreatedOn { get; init; }

    /// <summary>Where to ask for its status.</summary>
    public required string StatementStatusUrl { get; init; }
}

/// <summary>A finished statement's result (200): its metadata and the first partition's rows, or one later partition's rows alone.</summary>
public sealed class StatementResultSet
{
    /// <summary><c>090001</c>: the statement ran.</summary>
    public string? Code { get; init; }

    /// <summary><c>00000</c>.</summary>
    public string? SqlState { get; init; }

    /// <summary><c>Statement executed successfully.</c></summary>
    public string? Message { get; init; }

    /// <summary>The statement's handle.</summary>
    public Guid? StatementHandle { get; init; }

    /// <summary>When it was submitted, in milliseconds since the epoch.</summary>
    public long? CreatedOn { get; init; }

    /// <summary>Where to ask for its status and other partitions (<c>?partition=N</c>).</summary>
    public string? StatementStatusUrl { get; init; }

    /// <summary>The request id it was submitted with, or absent.</summary>
    public string? RequestId { get; init; }

    /// <summary>The session it belongs to, or absent.</summary>
    public Guid? SessionId { get; init; }

    /// <summary>The result's shape: row count, columns and partitions (partition 0 only).</summary>
    public StatementResultSetMetaData? ResultSetMetaData { get; init; }

    /// <summary>The partition's rows: arrays of values as text in Snowflake's encoding (numbers as written, dates as days since the epoch, timestamps as seconds since the epoch with nine decimals), SQL NULL as <c>null</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required IReadOnlyList<IReadOnlyList<string?>> Data { get; init; }
}

/// <summary>The shape of a result.</summary>
public sealed class StatementResultSetMetaData
{
    /// <summary>Rows in the whole result.</summary>
    public required long NumRows { get; init; }

    /// <summary><c>jsonv2</c>.</summary>
    public string Format { get; init; } = "jsonv2";

    /// <summary>Every partition's row count and size; fetch partition N with <c>?partition=N</c>.</summary>
    public required IReadOnlyList<StatementPartitionInfo> PartitionInfo { get; init; }

    /// <summary>The columns, in order.</summary>
    public required IReadOnlyList<StatementRowType> RowType { get; init; }
}

/// <summary>One partition of a result.</summary>
public sealed class StatementPartitionInfo
{
    /// <summary>Rows in it.</summary>
    public required long RowCount { get; init; }

    /// <summary>Its size as stored rows, in bytes (the result's stored size shared out by rows: an estimate).</summary>
    public required long UncompressedSize { get; init; }
}

/// <summary>One column of a result, in Snowflake's terms.</summary>
public sealed class StatementRowType
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Snowflake's type: <c>fixed</c>, <c>real</c>, <c>text</c>, <c>boolean</c>, <c>date</c>, <c>time</c>, <c>timestamp_ntz</c>, <c>timestamp_ltz</c>, <c>variant</c> or <c>binary</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The warehouse's own name of the type.</summary>
    public required string WarehouseType { get; init; }

    /// <summary>Digits of a <c>fixed</c> number (38), or absent.</summary>
    public int? Precision { get; init; }

    /// <summary>Digits after the point of a <c>fixed</c> number, or absent.</summary>
    public int? Scale { get; init; }

    /// <summary>Characters of a <c>text</c> value at most, or absent.</summary>
    public long? Length { get; init; }

    /// <summary>Bytes of a <c>text</c> or <c>binary</c> value at most, or absent.</summary>
    public long? ByteLength { get; init; }

    /// <summary>Whether it may hold NULL (always true: the warehouses do not say).</summary>
    public bool Nullable { get; init; } = true;

    /// <summary>The database (project) it came from.</summary>
    public string Database { get; init; } = "";

    /// <summary>Not known: empty.</summary>
    public string Schema { get; init; } = "";

    /// <summary>Not known: empty.</summary>
    public string Table { get; init; } = "";
}

/// <summary>A session of the statements API.</summary>
public sealed class StatementSessionResults
{
    /// <summary>Its id: send it as <c>X-Lightdash-Session</c> with each statement call.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>When it was opened (UTC).</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>When it ends unless used before (each use moves this on).</summary>
    public required DateTime ExpiresAt { get; init; }
}
