-- ListTasks filtered by state or enterprise project pages through the in-memory list index
-- (db/order.go), which the store builds at start-up; until it is built such a request waits for
-- it. These indexes served those filters before it existed, and every change of a task's state
-- (the first progress report of every task, among others) had to rewrite two of their pages.
DROP INDEX tasks_by_state;
DROP INDEX tasks_by_enterprise_project;
