Feature: Forming buying groups
  The matcher forms groups out of paid orders. The shop accepts a group only when it keeps
  every member's promise: every order is paid, all are for the same product, none belongs to
  another group, and the group's size is one that every buyer accepted. When the shop refuses
  a group it names the orders at fault, and nothing changes.

  Background:
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And the shop sells "성주 참외 3kg" at 25,000 won

  Scenario: A group that keeps every promise is formed
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 to 3 buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    When the matcher forms group 7 of Minji and Jisoo
    Then group 7 is formed with 2 members
    And the orders of Minji and Jisoo are matched in group 7

  Scenario: An order that is not paid cannot join a group
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Jisoo ordered 1 "제주 감귤 5kg" to pay with KakaoPay
    When the matcher forms group 7 of Minji and Jisoo
    Then the group is refused, naming the order of Jisoo
    And Minji's order is still paid
    And Jisoo's order is still waiting for payment

  Scenario: An order that does not exist cannot join a group
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    When the matcher forms group 7 of Minji and order 999999
    Then the group is refused, naming order 999999
    And Minji's order is still paid

  Scenario: Orders for different products cannot be grouped
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Jisoo paid for "성주 참외 3kg" accepting a group of 2 or more buyers
    When the matcher forms group 7 of Minji and Jisoo
    Then the group is refused, naming the order of Jisoo
    And the orders of Minji and Jisoo are still paid

  Scenario: A group smaller than a buyer accepts is refused
    Given Minji paid for "제주 감귤 5kg" accepting a group of 3 or more buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    When the matcher forms group 7 of Minji and Jisoo
    Then the group is refused, naming the order of Minji
    And the orders of Minji and Jisoo are still paid

  Scenario: A group larger than a buyer accepts is refused
    Given Minji paid for "제주 감귤 5kg" accepting a group of exactly 2 buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 to 3 buyers
    And Hyun paid for "제주 감귤 5kg" accepting a group of 2 to 3 buyers
    When the matcher forms group 7 of Minji, Jisoo and Hyun
    Then the group is refused, naming the order of Minji
    And the orders of Minji, Jisoo and Hyun are still paid

  Scenario: An order already in a group cannot join another one
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Hyun paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And the matcher formed group 7 of Minji and Jisoo
    When the matcher forms group 8 of Jisoo and Hyun
    Then the group is refused, naming the order of Jisoo
    And the orders of Minji and Jisoo are matched in group 7
    And Hyun's order is still paid

  Scenario: The same group reported twice is formed once
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And the matcher formed group 7 of Minji and Jisoo
    When the matcher forms group 7 of Minji and Jisoo again
    Then group 7 is formed with 2 members
    And the orders of Minji and Jisoo are matched in group 7

  Scenario: A known group cannot be reported again with other orders
    Given Minji paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Jisoo paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And Hyun paid for "제주 감귤 5kg" accepting a group of 2 or more buyers
    And the matcher formed group 7 of Minji and Jisoo
    When the matcher forms group 7 of Minji and Hyun
    Then the group is refused because group 7 already exists with other orders
    And the orders of Minji and Jisoo are matched in group 7
    And Hyun's order is still paid
