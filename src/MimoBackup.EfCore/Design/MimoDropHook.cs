using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Design;

/// <summary>
/// <c>dotnet ef database drop</c> consults no design-time services, so the build puts a module initializer into the
/// app assembly that calls <see cref="Install"/> — only inside dotnet-ef's <c>database drop</c>, found from the
/// command line with no other work, so an app's own runs pay nothing. From then on, the moment EF opens a SQLite
/// connection to delete the file (SQLite's <c>Delete()</c> opens it to find the path), <see cref="DropGuard"/>
/// runs first: a verified <c>pre-drop_</c> backup, or a refusal that stops the drop before the file is touched.
/// </summary>
internal static class MimoDropHook
{
    private static int _installed;

    /// <summary>Called by reflection from the generated module initializer; safe to call more than once.</summary>
    internal static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            GuardedDatabaseCreator.InsideDatabaseDrop = true;
            DiagnosticListener.AllListeners.Subscribe(new ListenerObserver());
        }
    }

    private sealed class ListenerObserver : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(new EventObserver(), name => name == RelationalEventId.ConnectionOpening.Name);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class EventObserver : IObserver<KeyValuePair<string, object?>>
    {
        private readonly HashSet<string> _guarded = new(StringComparer.Ordinal);

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is not ConnectionEventData { Context: { } context }
                || context.Database.ProviderName != "Microsoft.EntityFrameworkCore.Sqlite"
                // A context with MimoBackup's services guards EnsureDeleted() itself, before this connection is opened.
                || context.GetService<IDatabaseCreator>() is GuardedDatabaseCreator)
            {
                return;
            }

            // Once per database: EF opens the connection again after the backup (to read the path), and that must
            // not take a second one. A refusal throws out of EF's Open(), so the file is never deleted.
            lock (_guarded)
            {
                if (_guarded.Add(context.Database.GetConnectionString() ?? ""))
                {
                    try
                    {
                        DropGuard.Check(context, new ConsoleOutput());
                    }
                    catch (MimoBackupException e)
                    {
                        // dotnet-ef prints an OperationException's message alone, once, without a stack trace.
                        throw new Microsoft.EntityFrameworkCore.Design.OperationException(e.Message, e);
                    }
                }
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    /// <summary>dotnet-ef shows what ef.dll writes to its standard output.</summary>
    private sealed class ConsoleOutput : IMimoOutput
    {
        public void Information(Microsoft.Extensions.Logging.EventId id, string line) => Console.Out.WriteLine(line);

        public void Warning(Microsoft.Extensions.Logging.EventId id, string line) => Console.Out.WriteLine(line);
    }
}
