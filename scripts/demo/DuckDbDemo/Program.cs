using DuckDB.NET.Data;

// Usage: DuckDbDemo <database file> <sql file>. Runs the SQL file against the database file.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: DuckDbDemo <database file> <sql file>");
    return 2;
}

await using var connection = new DuckDBConnection($"Data Source={args[0]}");
await connection.OpenAsync();
await using var command = connection.CreateCommand();
command.CommandText = await File.ReadAllTextAsync(args[1]);
await command.ExecuteNonQueryAsync();
Console.WriteLine($"[run] demo DuckDB warehouse written to {args[0]}");
return 0;
