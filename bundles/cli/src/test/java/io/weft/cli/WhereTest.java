package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.db.Criterion;
import io.weft.api.db.Operation;
import io.weft.api.db.Query;
import io.weft.api.db.QueryValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class WhereTest {

    private static void check(String text, String path, Operation op, QueryValue value) {
        Criterion c = Where.parse(text);
        assertEquals(new Criterion(path, op, value), c, text);
    }

    @Test
    void everyOperator() {
        check("age=60", "age", Operation.EQ, QueryValue.of(60));
        check("age==60", "age", Operation.EQ, QueryValue.of(60));
        check("age!=60", "age", Operation.NE, QueryValue.of(60));
        check("age>60", "age", Operation.GT, QueryValue.of(60));
        check("age>=60", "age", Operation.GE, QueryValue.of(60));
        check("age<60", "age", Operation.LT, QueryValue.of(60));
        check("age<=60", "age", Operation.LE, QueryValue.of(60));
    }

    @Test
    void valueTypes() {
        check("score >= -1.5e3", "score", Operation.GE, QueryValue.of(-1500.0));
        check("active=true", "active", Operation.EQ, QueryValue.of(true));
        check("active = false", "active", Operation.EQ, QueryValue.of(false));
        check("name=Ada", "name", Operation.EQ, QueryValue.of("Ada"));
        check("name=\"Ada Lovelace\"", "name", Operation.EQ, QueryValue.of("Ada Lovelace"));
        check("name='a>=b'", "name", Operation.EQ, QueryValue.of("a>=b"));
        check("code=\"60\"", "code", Operation.EQ, QueryValue.of("60"));
        check("code='true'", "code", Operation.EQ, QueryValue.of("true"));
        check("name=\"\"", "name", Operation.EQ, QueryValue.of(""));
        check("version=1.2.3", "version", Operation.EQ, QueryValue.of("1.2.3"));
        check("n=007", "n", Operation.EQ, QueryValue.of("007"));
        check("address.city=Paris", "address.city", Operation.EQ, QueryValue.of("Paris"));
    }

    @Test
    void rejectsMalformedConditions() {
        for (String bad : List.of("", "  ", "age", "=60", "age=", "age!60", "name=\"open", "a..b=1", "age=1e999")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Where.parse(bad), bad);
            assertTrue(e.getMessage().contains("--where") || e.getMessage().contains("path"), e.getMessage());
        }
    }

    @Test
    void buildsTheQueryWithSortAndPaging() {
        Query q = Where.query(null, List.of("age>=60", "active=true"), "-age", "01abc", 2, 10);
        Query expected = Query.where("age").ge(60).and("active").eq(true).orderByDesc("age").seek("01abc").skip(2).limit(10);
        assertEquals(expected, q);
        assertEquals(Query.all().orderBy("name"), Where.query(null, null, "name", null, null, null));
        assertEquals(Query.all().orderByDesc("name"), Where.query(null, null, "name:desc", null, null, null));
        assertEquals(Query.all().orderBy("name"), Where.query(null, null, "name:asc", null, null, null));
        Query base = Query.parse("{\"ands\":[{\"fieldPath\":\"x\",\"operation\":0,\"value\":{\"float\":1}}]}");
        assertEquals(Query.where("x").eq(1).and("y").lt(2), Where.query(base, List.of("y<2"), null, null, null, null));
        assertThrows(InvalidInputException.class, () -> Where.query(null, null, "-", null, null, null));
        assertThrows(InvalidInputException.class, () -> Where.query(null, null, null, null, -1, null));
    }
}
