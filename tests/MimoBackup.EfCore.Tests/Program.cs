using Microsoft.EntityFrameworkCore;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// The test runner loads this assembly as a library and never calls Main. The kill -9 tests start it with
/// <c>dotnet exec</c> to have a real process that is migrating when it is killed.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["migrate", var database, var backups])
        {
            // Not rehearsed: the point is a live update that dies half-way (a rehearsal would count for ever first).
            using var context = new InterruptedContext("Data Source=" + database, backups, rehearse: false);
            context.Database.Migrate();
            return 0;
        }

        Console.Error.WriteLine("usage: migrate <database> <backup folder>");
        return 2;
    }
}
