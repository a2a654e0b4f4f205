using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Core.Data;

/// <summary>
/// Inserts many rows of one entity with multi-row INSERT statements reused across chunks, in
/// transactions of <see cref="RowsPerTransaction"/> (fewer rows are one transaction). For seeding
/// measurement data and for the authentication log writer on server databases: EF's change
/// tracker would spend minutes on millions of rows, and more per row than the requests the log
/// describes. Column names, parameter types and value conversions come from the EF model, so rows
/// are stored exactly as EF would store them.
/// </summary>
public sealed class BulkInsert<T> : IAsyncDisposable
    where T : class
{
    private const int RowsPerTransaction = 50_000;

    // SQL Server allows 2,100 parameters per statement; staying under it works on every provider.
    private const int MaxParameters = 2_000;

    private readonly PortalDbContext _db;
    private readonly IProperty[] _properties;
    private readonly RelationalTypeMapping[] _mappings;
    private readonly string _insertHead;
    private readonly int _rowsPerStatement;
    private readonly List<T> _pending = [];
    private DbCommand? _full;
    private DbTransaction? _transaction;
    private int _inTransaction;

    public BulkInsert(PortalDbContext db)
    {
        _db = db;
        var entity = db.Model.FindEntityType(typeof(T))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        _properties = [.. entity.GetProperties()];
        _mappings = [.. _properties.Select(p => p.GetRelationalTypeMapping())];
        _insertHead = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", _properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) VALUES ";
        _rowsPerStatement = MaxParameters / _properties.Length;
    }

    public long Written { get; private set; }

    public async Task AddAsync(T row)
    {
        _pending.Add(row);
        if (_pending.Count == _rowsPerStatement)
        {
            _full ??= await CommandAsync(_rowsPerStatement, row);
            await ExecuteAsync(_full);
        }
    }

    public async Task FlushAsync()
    {
        if (_pending.Count > 0)
        {
            await using var last = await CommandAsync(_pending.Count, _pending[0]);
            await ExecuteAsync(last);
        }

        if (_transaction is not null)
        {
            await _transaction.CommitAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
            _inTransaction = 0;
        }
    }

    /// <summary>Rolls back what was not flushed: a failed insert leaves nothing half-written.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        if (_full is not null)
        {
            await _full.DisposeAsync();
        }
    }

    private async Task<DbCommand> CommandAsync(int rows, T sample)
    {
        await _db.Database.OpenConnectionAsync();
        var command = _db.Database.GetDbConnection().CreateCommand();
        var values = new List<string>(rows);
        for (var r = 0; r < rows; r++)
        {
            values.Add("(" + string.Join(", ", _properties.Select((_, c) => $"@p{r}_{c}")) + ")");
            for (var c = 0; c < _properties.Length; c++)
            {
                // Made from a sample row so each parameter carries the provider's type for its column.
                command.Parameters.Add(_mappings[c].CreateParameter(command, $"@p{r}_{c}", _properties[c].GetGetter().GetClrValue(sample), _properties[c].IsNullable));
            }
        }

        command.CommandText = _insertHead + string.Join(", ", values);
        return command;
    }

    private async Task ExecuteAsync(DbCommand command)
    {
        if (_transaction is null)
        {
            _transaction = await _db.Database.GetDbConnection().BeginTransactionAsync();
        }

        command.Transaction = _transaction;
        var i = 0;
        foreach (var row in _pending)
        {
            for (var c = 0; c < _properties.Length; c++)
            {
                var value = _properties[c].GetGetter().GetClrValue(row);
                command.Parameters[i++].Value = value is null ? DBNull.Value : _mappings[c].Converter?.ConvertToProvider(value) ?? value;
            }
        }

        await command.ExecuteNonQueryAsync();
        Written += _pending.Count;
        _inTransaction += _pending.Count;
        _pending.Clear();
        if (_inTransaction >= RowsPerTransaction)
        {
            await _transaction.CommitAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
            _inTransaction = 0;
        }
    }
}
