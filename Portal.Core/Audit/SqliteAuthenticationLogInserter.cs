using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Core.Data;
using SQLitePCL;

namespace Portal.Core.Audit;

/// <summary>
/// Stores authentication log segments in SQLite through a connection of its own and one INSERT
/// prepared once, binding each value straight from the segment: no string or box per value. When
/// many keys are busy at once a batch is many small segments, and through ADO.NET binding and
/// executing a row cost more than storing it. Values are stored as EF stores them (Guids as
/// upper-case text, times through the model's converter), so the portal's queries read them back
/// unchanged.
/// </summary>
internal sealed class SqliteAuthenticationLogInserter : IDisposable
{
    private const int Done = 101; // SQLITE_DONE

    // Parameter order of the INSERT; the constructor checks these are all the columns the entity has.
    private static readonly string[] Properties =
    [
        nameof(AuthenticationLogSegment.Id), nameof(AuthenticationLogSegment.OrganizationId), nameof(AuthenticationLogSegment.KeyId),
        nameof(AuthenticationLogSegment.OwnerId), nameof(AuthenticationLogSegment.FirstAt), nameof(AuthenticationLogSegment.LastAt),
        nameof(AuthenticationLogSegment.Count), nameof(AuthenticationLogSegment.Records),
    ];

    private readonly string _connectionString;
    private readonly string _insertSql;
    private readonly Func<DateTimeOffset, long> _storedTime;
    private SqliteConnection? _connection;
    private sqlite3_stmt? _insert;

    public SqliteAuthenticationLogInserter(PortalDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(AuthenticationLogSegment))!;
        if (entity.GetProperties().Count() != Properties.Length)
        {
            throw new InvalidOperationException($"{nameof(AuthenticationLogSegment)} has columns the SQLite log writer does not write.");
        }

        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = Properties.Select(name => sql.DelimitIdentifier(entity.FindProperty(name)!.GetColumnName(table)!));
        _insertSql = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns)}) " +
            $"VALUES ({string.Join(", ", Properties.Select((_, i) => "?" + (i + 1)))})";
        _storedTime = entity.FindProperty(nameof(AuthenticationLogSegment.FirstAt))!.GetTypeMapping().Converter is ValueConverter<DateTimeOffset, long> converter
            ? converter.ConvertToProviderTyped
            : throw new InvalidOperationException("The SQLite log writer expects segment times stored as numbers.");

        // Not pooled: the pragmas below are for this connection only, and must not reach one the
        // rest of the portal borrows from the pool.
        _connectionString = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ToString();
    }

    /// <summary>Stores the segments in one transaction.</summary>
    public void Insert(IReadOnlyList<AuthenticationLogSegment> segments)
    {
        var (db, insert) = Open();
        try
        {
            Check(raw.sqlite3_exec(db, "BEGIN IMMEDIATE"), db);
            foreach (var segment in segments)
            {
                Bind(insert, segment, db);
                var step = raw.sqlite3_step(insert);
                raw.sqlite3_reset(insert);
                if (step != Done)
                {
                    Check(step, db);
                }
            }

            Check(raw.sqlite3_exec(db, "COMMIT"), db);
        }
        catch
        {
            // Start over from a new connection: whatever broke (a full disk, a replaced file) may have left this one unusable.
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _insert?.Dispose();
        _insert = null;
        _connection?.Dispose();
        _connection = null;
    }

    private (sqlite3 Db, sqlite3_stmt Insert) Open()
    {
        if (_connection is null || _insert is null)
        {
            Dispose();
            var connection = new SqliteConnection(_connectionString);
            connection.Open();
            _connection = connection;

            // The log is the one store where losing the last moments at a power cut is acceptable:
            // in WAL mode, NORMAL keeps the file consistent and spares an fsync per batch. A larger
            // page cache and fewer checkpoints write each index page once for many batches instead
            // of once per batch (measured with Portal.Benchmarks' log-writer). SQLite's own busy
            // wait, because these statements do not go through Microsoft.Data.Sqlite's retries.
            Check(raw.sqlite3_exec(connection.Handle,
                "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=4096; PRAGMA busy_timeout=5000;"), connection.Handle!);
            Check(raw.sqlite3_prepare_v2(connection.Handle, _insertSql, out var insert), connection.Handle!);
            _insert = insert;
        }

        return (_connection.Handle!, _insert);
    }

    private void Bind(sqlite3_stmt insert, AuthenticationLogSegment segment, sqlite3 db)
    {
        Check(BindGuid(insert, 1, segment.Id), db);
        Check(BindGuid(insert, 2, segment.OrganizationId), db);
        Check(BindGuid(insert, 3, segment.KeyId), db);
        Check(BindGuid(insert, 4, segment.OwnerId), db);
        Check(raw.sqlite3_bind_int64(insert, 5, _storedTime(segment.FirstAt)), db);
        Check(raw.sqlite3_bind_int64(insert, 6, _storedTime(segment.LastAt)), db);
        Check(raw.sqlite3_bind_int(insert, 7, segment.Count), db);
        Check(raw.sqlite3_bind_blob(insert, 8, segment.Records), db);
    }

    private static int BindGuid(sqlite3_stmt insert, int index, Guid? value)
    {
        if (value is not { } guid)
        {
            return raw.sqlite3_bind_null(insert, index);
        }

        // As Microsoft.Data.Sqlite writes a Guid for EF: "D" format, upper case.
        Span<char> text = stackalloc char[36];
        guid.TryFormat(text, out _, "D");
        Ascii.ToUpperInPlace(text, out _);
        return raw.sqlite3_bind_text16(insert, index, text);
    }

    private static void Check(int result, sqlite3 db)
    {
        if (result != 0)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
