namespace Lightdash.Net.Warehouses;

/// <summary>The SQL a warehouse speaks, for the few statements the backend writes itself.</summary>
public interface ISqlDialect
{
    /// <summary>Wraps a user's query so that only a window of its rows is returned.</summary>
    string WrapWithWindow(string sql, long? limit, long? offset);
}
