package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fd table as an array: alloc_fd()'s lowest free fd, growth, close-on-exec per fd, the walk the recount makes. */
class FileTableTest {
    private static File file(int id) {
        return new File(id, null, true, true, false, false);
    }

    @Test
    void theLowestFreeFdIsReusedAndTheTableGrowsPastItsFirstSize() {
        FileTable t = new FileTable();
        List<File> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            File f = file(i);
            files.add(f);
            assertEquals(FileTable.FIRST_FD + i, t.install(f));
        }
        assertSame(files.get(39), t.get(FileTable.FIRST_FD + 39));
        assertSame(files.get(5), t.remove(FileTable.FIRST_FD + 5));
        assertNull(t.remove(FileTable.FIRST_FD + 5));
        assertSame(files.get(9), t.remove(FileTable.FIRST_FD + 9));
        assertEquals(FileTable.FIRST_FD + 5, t.install(file(100)));
        assertEquals(FileTable.FIRST_FD + 9, t.install(file(101)));
        assertEquals(FileTable.FIRST_FD + 40, t.install(file(102)));
        assertNull(t.get(-1));
        assertNull(t.get(0));
        assertNull(t.get(1 << 20));
    }

    @Test
    void closeOnExecBelongsToTheFdNotToTheSlotsNextFile() {
        FileTable t = new FileTable();
        int fd = t.install(file(1), true);
        assertTrue(t.closeOnExec(fd));
        t.remove(fd);
        assertFalse(t.closeOnExec(fd));
        assertEquals(fd, t.install(file(2)));
        assertFalse(t.closeOnExec(fd));
        assertFalse(t.closeOnExec(999));
    }

    @Test
    void theWalkAndTheCopyAgreeInFdOrderAndCountAFileOncePerFd() {
        FileTable t = new FileTable();
        File shared = file(1);
        File other = file(2);
        t.install(shared);
        t.install(other);
        t.install(shared);
        t.remove(FileTable.FIRST_FD + 1);
        List<File> walked = new ArrayList<>();
        t.forEachFile(walked::add);
        assertEquals(List.of(shared, shared), walked);
        assertEquals(List.of(FileTable.FIRST_FD, FileTable.FIRST_FD + 2), List.copyOf(t.entries().keySet()));
        assertFalse(t.isEmpty());
        t.remove(FileTable.FIRST_FD);
        t.remove(FileTable.FIRST_FD + 2);
        assertTrue(t.isEmpty());
        assertTrue(t.entries().isEmpty());
    }
}
